// A reply too long for where it goes is never lost work: the local API refuses it up front with a sentence when
// the platform's limit is known (nothing stored, nothing sent), and when only the provider knows its limit, the
// failed reply reads as a sentence (the request and the provider's answer are in the log) and can be edited and
// sent again. Real core, real SQLite, the simulators on 127.0.0.1.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type { Conversation, Message, OutboxItem } from '../../main/contract/schemas';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { addAllChannels, api, conversationWith, waitFor } from '../helpers/api';
import { TEST_BACKOFF_SCALE } from '../helpers/backoff';
import { tempDir } from '../helpers/tmp';

/** What the acceptance check (ux, step 2) rejects as a raw transport error. */
const RAW = /\b(GET|POST|PUT|PATCH|DELETE) \/|ECONN|\b(HTTP|status)\s*[45]\d\d\b|:\s*[45]\d\d\b/;

type ErrorBody = { error: { code: string; message: string } };

describe('reply length limits', () => {
  let sims: Simulators;
  let tmp: ReturnType<typeof tempDir>;
  let core: Core;
  let ids: Record<string, string>;
  const logged: string[] = [];

  beforeAll(async () => {
    tmp = tempDir();
    sims = await startSimulators({ seed: 31 });
    core = await createCore({
      dataDir: path.join(tmp.dir, 'core'),
      log: (line) => logged.push(line),
      outboxInFlightGraceMs: 500,
      backoffScale: TEST_BACKOFF_SCALE,
    });
    ids = await addAllChannels(
      core,
      sims.providers().filter((p) => p.provider === 'instantchat' || p.provider === 'chatpion'),
    );
  }, 30_000);
  afterAll(async () => {
    await core?.close();
    await sims?.close();
    tmp?.cleanup();
  });

  async function conversation(p: 'instantchat' | 'chatpion'): Promise<Conversation> {
    const hello = `hello from ${p} ${Date.now()}`;
    sims.kits[p].sim.inbound({ text: hello });
    const c = await waitFor(`${p} conversation`, () => conversationWith(core, hello, ids[p]), 20_000);
    return (await api<Conversation>(core, 'GET', `/api/v1/conversations/${c.id}`)).body;
  }
  const outbox = async () => (await api<{ items: OutboxItem[] }>(core, 'GET', '/api/v1/outbox')).body.items;
  const messages = async (id: string) =>
    (await api<{ items: Message[] }>(core, 'GET', `/api/v1/conversations/${id}/messages?limit=200`)).body
      .items;

  it('refuses up front, in a sentence, what the platform cannot take (Instagram: 1,000); nothing is stored', async () => {
    const conv = await conversation('instantchat');
    expect(conv.maxTextLength).toBe(1000);
    const before = (await outbox()).length;
    const r = await api<ErrorBody>(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, {
      text: 'y'.repeat(1200),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('too_long');
    expect(r.body.error.message).toBe(
      'InstantChat accepts at most 1,000 characters for Instagram: this reply has 1,200. ' +
        'Nothing was sent; shorten it and send again.',
    );
    expect((await outbox()).length).toBe(before);
    expect((await messages(conv.id)).some((m) => m.text.startsWith('yyyy'))).toBe(false);

    // Exactly at the limit goes.
    const full = 'z'.repeat(1000);
    expect(
      (await api(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, { text: full })).status,
    ).toBe(202);
    await waitFor('the 1,000-character reply at InstantChat', () =>
      sims.kits.instantchat.sent.some((s) => s.text === full),
    );
  });

  it('an edit over the limit is refused and leaves the reply as it was', async () => {
    const conv = await conversation('instantchat');
    sims.kits.instantchat.setFaults({ down: true });
    try {
      const text = `while down ${Date.now()}`;
      const sent = await api<Message>(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, { text });
      expect(sent.status).toBe(202);
      const item = await waitFor('the queued reply', async () =>
        (await outbox()).find((o) => o.messageId === sent.body.id),
      );
      const r = await api<ErrorBody>(core, 'PATCH', `/api/v1/outbox/${item.id}`, { text: 'w'.repeat(1001) });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe(
        'InstantChat accepts at most 1,000 characters for Instagram: this reply has 1,001. The reply was not changed.',
      );
      expect((await outbox()).find((o) => o.id === item.id)?.text).toBe(text);
    } finally {
      sims.kits.instantchat.setFaults({ down: false });
    }
  });

  it('a provider refusal reads as a sentence, the detail is in the log, and the edited reply goes once', async () => {
    // WhatsApp or Telegram take 4,096 characters; ChatPion itself takes 2,000, which only its answer says.
    const conv = await waitFor('a ChatPion conversation on WhatsApp or Telegram', async () =>
      (
        await api<{ items: Conversation[] }>(
          core,
          'GET',
          `/api/v1/conversations?channel=${ids.chatpion}&limit=200`,
        )
      ).body.items.find((c) => c.maxTextLength === 4096),
    );
    const long = 'x'.repeat(2500);
    const r = await api<Message>(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, { text: long });
    expect(r.status).toBe(202);
    const failed = await waitFor('the refused reply', async () =>
      (await messages(conv.id)).find((m) => m.id === r.body.id && m.status === 'failed'),
    );
    const sentence = 'ChatPion refused this reply: it is longer than 2,000 characters';
    expect(failed.error).toBe(sentence);
    const item = (
      await api<{ items: OutboxItem[] }>(core, 'GET', '/api/v1/outbox?status=failed')
    ).body.items.find((o) => o.messageId === r.body.id)!;
    expect(item.error).toBe(sentence);
    for (const said of [failed.error, item.error]) expect(said).not.toMatch(RAW);
    expect(
      logged.some((l) => l.includes('POST /api/messages: 400 message must be at most 2000 characters')),
    ).toBe(true);

    const shorter = `shorter ${Date.now()}`;
    expect((await api(core, 'PATCH', `/api/v1/outbox/${item.id}`, { text: shorter })).status).toBe(200);
    expect((await api(core, 'POST', `/api/v1/outbox/${item.id}/retry`, {})).status).toBe(200);
    await waitFor('the edited reply at ChatPion', () =>
      sims.kits.chatpion.sent.some((s) => s.text === shorter),
    );
    expect(sims.kits.chatpion.sent.filter((s) => s.text === shorter)).toHaveLength(1);
    expect(sims.kits.chatpion.sent.some((s) => s.text === long)).toBe(false);
  });
});
