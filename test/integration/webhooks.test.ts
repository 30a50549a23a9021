// Webhooks received by the local server (/api/v1/webhooks/:channelId, no token: the provider cannot have it).
// Chatbots Platform signs deliveries with 'sha256=' HMACs: a genuine, fresh delivery is applied once; a bad or
// missing signature or a replay (even after a restart) is refused with 401, a log line naming the reason, and
// no change to the data; the document requires no timestamp window, so a late one is re-read rather than applied. An unknown channel is a 404. The channel's webhook secret is
// stored sealed, like its credentials.
import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { keyFileSecretBox } from '../../main/secrets/keyfile';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, waitFor } from '../helpers/api';

let sims: Simulators;
let core: Core;
let tmp: ReturnType<typeof tempDir>;
let channelId: string;
let secret: string;
const logLines: string[] = [];

beforeAll(async () => {
  tmp = tempDir();
  sims = await startSimulators({ seed: 11 });
  core = await createCore({ dataDir: tmp.dir, log: (line) => logLines.push(line) });
  const chatbots = sims.providers().filter((p) => p.provider === 'chatbots-platform');
  channelId = (await addAllChannels(core, chatbots))['chatbots-platform'];
  secret = storedSecret();
  // Counts are compared around each delivery: the backfill must not be adding rows meanwhile.
  await waitFor('the backfill', () => core.store.syncState.get(channelId, 'backfill').done, 25_000);
}, 30_000);

/** The channel's webhook secret, unsealed with the data directory's key (web mode's scheme). */
function storedSecret(): string {
  return keyFileSecretBox(tmp.dir).decrypt(core.store.channels.get(channelId)!.webhook_secret_sealed!);
}

/** Closes the core and starts another on the same data directory; `change` runs on the database between. */
async function restart(change?: (db: Database.Database) => void) {
  await core.close();
  if (change) {
    const db = new Database(path.join(tmp.dir, 'inbox.db'));
    try {
      change(db);
    } finally {
      db.close();
    }
  }
  core = await createCore({ dataDir: tmp.dir, log: (line) => logLines.push(line) });
}

afterAll(async () => {
  await core?.close();
  await sims?.close();
  tmp?.cleanup();
});

/** A delivery as the document describes it: {event, timestamp, data} signed over its JSON, in body and header. */
function delivery(messageId: string, o: { at?: Date; key?: string; event?: string } = {}) {
  const unsigned = {
    event: o.event ?? 'message.received',
    timestamp: (o.at ?? new Date()).toISOString(),
    data: {
      conversation: {
        id: 'wh-conv-1',
        status: 'active',
        contact: { id: 'wh-contact-1', name: 'Webhook Customer' },
      },
      message: {
        id: messageId,
        conversationId: 'wh-conv-1',
        sender: 'user',
        text: `hello ${messageId}`,
        createdAt: new Date().toISOString(),
      },
    },
  };
  const signature =
    'sha256=' +
    createHmac('sha256', o.key ?? secret)
      .update(JSON.stringify(unsigned))
      .digest('hex');
  return { unsigned, signature, body: JSON.stringify({ ...unsigned, signature }) };
}

async function post(body: string, headers: Record<string, string> = {}, id = channelId) {
  const res = await fetch(`${core.url}/api/v1/webhooks/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

function storedMessages(externalId: string): number {
  const db = new Database(path.join(core.dataDir, 'inbox.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM messages WHERE external_id = ?').get(externalId) as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

const rejections = () => logLines.filter((l) => l.startsWith(`[webhook ${channelId}] rejected:`));

/** Sends a delivery that must be refused: 401 and one new log line matching `reason`. */
async function refused(body: string, headers: Record<string, string>, reason: RegExp) {
  const logged = rejections().length;
  const r = await post(body, headers);
  expect(r.status).toBe(401);
  expect(r.body.error?.code).toBe('rejected');
  expect(rejections().slice(logged)).toEqual([expect.stringMatching(reason)]);
}

/** Sends a delivery that must be refused: 401, one new log line matching `reason`, no message stored. */
async function expectRejected(
  messageId: string,
  body: string,
  headers: Record<string, string>,
  reason: RegExp,
) {
  const before = core.store.counts();
  await refused(body, headers, reason);
  expect(storedMessages(messageId)).toBe(0);
  expect(core.store.counts()).toEqual(before);
}

describe('webhooks of a Chatbots Platform channel', () => {
  it('applies a genuine delivery once and refuses it again, whatever is changed or moved in it', async () => {
    const d = delivery('wh-genuine');
    const first = await post(d.body, { 'x-signature': d.signature });
    expect(first.status).toBe(200);
    expect(storedMessages('wh-genuine')).toBe(1);
    const counts = core.store.counts();

    await refused(d.body, { 'x-signature': d.signature }, /replay/);
    await refused(d.body, {}, /replay/);
    // The same signed bytes with the signature member first: the same delivery.
    await refused(JSON.stringify({ signature: d.signature, ...d.unsigned }), {}, /replay/);
    // Re-serialised: the document's verify function accepts it, under the same name, so it is the same delivery.
    await refused(JSON.stringify({ ...d.unsigned, signature: d.signature }, null, 2), {}, /replay/);
    expect(storedMessages('wh-genuine')).toBe(1);
    expect(core.store.counts()).toEqual(counts);
  });

  it('refuses a genuine delivery sent again with a "signature" inserted into its data', async () => {
    const d = delivery('wh-nested');
    expect((await post(d.body, { 'x-signature': d.signature })).status).toBe(200);
    const counts = core.store.counts();
    // The genuine signature in the header or at the top level: a signature is taken from the top level of
    // the body only, and the bytes it covers changed.
    const nested = { ...d.unsigned, data: { ...d.unsigned.data, signature: d.signature } };
    await refused(JSON.stringify(nested), { 'x-signature': d.signature }, /no signature/);
    await refused(
      JSON.stringify({ ...nested, signature: d.signature }),
      { 'x-signature': d.signature },
      /signature does not match/,
    );
    // Two top-level signatures: which one was meant is not for us to guess.
    await refused(
      d.body.replace(/}$/, `,"signature":"${d.signature}"}`),
      { 'x-signature': d.signature },
      /no signature/,
    );
    expect(storedMessages('wh-nested')).toBe(1);
    expect(core.store.counts()).toEqual(counts);
  });

  it('refuses the replay of a delivery taken before a restart', async () => {
    const d = delivery('wh-before-restart');
    expect((await post(d.body)).status).toBe(200);
    await restart();
    const logged = rejections().length;
    expect((await post(d.body)).status).toBe(401);
    expect(rejections().slice(logged)).toEqual([expect.stringMatching(/replay/)]);
    expect(storedMessages('wh-before-restart')).toBe(1);
  }, 30_000);

  it('stores the webhook secret sealed, and seals one an earlier version kept in plain text', async () => {
    const row = core.store.channels.get(channelId)!;
    expect(row.webhook_secret).toBe('');
    expect(row.webhook_secret_sealed!.includes(Buffer.from(secret))).toBe(false);

    const legacy = `legacy-${randomUUID()}`;
    await restart((db) =>
      db
        .prepare('UPDATE channels SET webhook_secret = ?, webhook_secret_sealed = NULL WHERE id = ?')
        .run(legacy, channelId),
    );
    expect(core.store.channels.get(channelId)).toMatchObject({ webhook_secret: '' });
    expect(storedSecret()).toBe(legacy);
    secret = legacy;
    // The connector verifies with it.
    const d = delivery('wh-legacy-secret');
    expect((await post(d.body)).status).toBe(200);
    expect(storedMessages('wh-legacy-secret')).toBe(1);
  }, 30_000);

  it('refuses a wrong signature, a missing one and a foreign key, naming the reason; takes any timestamp', async () => {
    const wrong = delivery('wh-wrong');
    const tampered = wrong.body.replace('hello wh-wrong', 'hello tampered');
    await expectRejected(
      'wh-wrong',
      tampered,
      { 'x-signature': wrong.signature },
      /signature does not match/,
    );

    const unsigned = delivery('wh-unsigned');
    await expectRejected('wh-unsigned', JSON.stringify(unsigned.unsigned), {}, /no signature/);

    const foreign = delivery('wh-foreign', { key: 'not the channel secret' });
    await expectRejected(
      'wh-foreign',
      foreign.body,
      { 'x-signature': foreign.signature },
      /signature does not match/,
    );

    // Genuine and an hour late (maybe a replay the server no longer remembers): taken, and re-read from the
    // provider instead of applied. Ahead of this clock: taken and applied.
    const stale = delivery('wh-stale', { at: new Date(Date.now() - 60 * 60_000) });
    expect((await post(stale.body, { 'x-signature': stale.signature })).status).toBe(200);
    expect(storedMessages('wh-stale')).toBe(0);
    const future = delivery('wh-future', { at: new Date(Date.now() + 10 * 60_000) });
    expect((await post(future.body, { 'x-signature': future.signature })).status).toBe(200);
    expect(storedMessages('wh-future')).toBe(1);

    await expectRejected('wh-junk', 'not json at all', { 'content-type': 'text/plain' }, /not JSON/);
    // Declared JSON that is not: the server's parser answers 400 before any connector sees it.
    expect((await post('{"event":', {})).status).toBe(400);
    // None of the refusals above kept a genuine delivery from being taken afterwards.
    const late = delivery('wh-after-rejections');
    expect((await post(late.body, { 'x-signature': late.signature })).status).toBe(200);
    expect(storedMessages('wh-after-rejections')).toBe(1);
  });

  it('takes a genuine status update for a message it does not know without inventing one', async () => {
    const before = core.store.counts();
    const d = delivery('wh-never-seen', { event: 'message.read' });
    expect((await post(d.body, { 'x-signature': d.signature })).status).toBe(200);
    expect(storedMessages('wh-never-seen')).toBe(0);
    expect(core.store.counts()).toEqual(before);
  });

  it('answers 404 for a channel that does not exist or receives no webhooks, and needs no token', async () => {
    const d = delivery('wh-unknown');
    const unknown = await post(d.body, { 'x-signature': d.signature }, randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('not_found');
    expect(storedMessages('wh-unknown')).toBe(0);
  });

  it('refuses webhook deliveries from a foreign origin (a web page cannot forge one)', async () => {
    const d = delivery('wh-rebound');
    const res = await fetch(`${core.url}/api/v1/webhooks/${channelId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': d.signature,
        origin: 'https://evil.example',
      },
      body: d.body,
    });
    expect(res.status).toBe(403);
    expect(storedMessages('wh-rebound')).toBe(0);
  });
});
