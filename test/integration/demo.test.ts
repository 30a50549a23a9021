// Starting the demo workspace re-points only the channels the demo made (flagged when made), never a channel
// of the agent's, even one named like a demo channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { keyFileSecretBox } from '../../main/secrets/keyfile';
import { api } from '../helpers/api';
import { tempDir } from '../helpers/tmp';

let core: Core;
let tmp: ReturnType<typeof tempDir>;

const start = () => createCore({ dataDir: tmp.dir, log: () => undefined });

beforeAll(async () => {
  tmp = tempDir();
  core = await start();
});

afterAll(async () => {
  await core?.close();
  tmp?.cleanup();
});

interface Channel {
  id: string;
  name: string;
  baseUrl: string;
}

describe('the demo workspace', () => {
  it("never touches the agent's channel named 'Demo · …', and re-points its own after a restart", async () => {
    const mine = await api<Channel>(core, 'POST', '/api/v1/channels', {
      provider: 'chatapi',
      name: 'Demo · chatapi',
      baseUrl: 'https://chat.example.com/api/v1',
      credentials: { apiKey: 'the agent’s own key' },
    });
    expect(mine.status).toBe(201);
    const untouched = () => {
      const row = core.store.channels.get(mine.body.id)!;
      expect(row.base_url).toBe('https://chat.example.com/api/v1');
      expect(keyFileSecretBox(tmp.dir).decrypt(row.credentials)).toBe('{"apiKey":"the agent’s own key"}');
    };

    const first = await api<{ items: Channel[] }>(core, 'POST', '/api/v1/demo');
    expect(first.status).toBe(201);
    expect(first.body.items).toHaveLength(5);
    expect(first.body.items.map((c) => c.id)).not.toContain(mine.body.id);
    untouched();

    // Another launch: the simulators listen elsewhere, the demo's channels follow them.
    await core.close();
    core = await start();
    const again = await api<{ items: Channel[] }>(core, 'POST', '/api/v1/demo');
    expect(again.body.items.map((c) => c.id).sort()).toEqual(first.body.items.map((c) => c.id).sort());
    expect(again.body.items.map((c) => c.baseUrl)).not.toEqual(first.body.items.map((c) => c.baseUrl));
    expect(core.store.channels.all()).toHaveLength(6);
    untouched();
  }, 60_000);
});
