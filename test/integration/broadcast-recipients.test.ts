// Personalised broadcasts against the ChatPion simulator (a provider with native broadcasts, which document no
// variables, so a personalised text fans out): each subscriber receives the text with their own name, an unknown
// variable is refused before anything is made, the audience is frozen when the broadcast is made (a subscriber
// arriving later, even before a scheduled broadcast goes out, is not in it), a confirmed count that no longer holds
// is refused, and GET /broadcasts/:id/recipients lists every recipient with its status, a page at a time.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type {
  Broadcast,
  BroadcastPreview,
  BroadcastRecipient,
  ErrorBody,
  Message,
  PageOf,
} from '../../main/contract/schemas';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator } from '../../main/providers/chatpion/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor } from '../helpers/api';
import { SIM_MODES } from '../helpers/sim-modes';

type Recipients = PageOf<BroadcastRecipient>;

describe.each(SIM_MODES)('personalised broadcasts and their recipients ($mode simulator)', ({ strict }) => {
  let tmp: ReturnType<typeof tempDir>;
  let kit: SimKit;
  let core: Core;
  let channelId: string;
  const names = ['Zoë Ångström', 'Łukasz Nowak'];

  const conversationCount = async () =>
    (await api<{ items: unknown[] }>(core, 'GET', `/api/v1/conversations?channel=${channelId}&limit=500`))
      .body.items.length;

  beforeAll(async () => {
    tmp = tempDir();
    kit = new SimKit(createSimulator({ seed: 21, strict, conversations: 2, messagesPerConversation: 2 }));
    await kit.listen();
    for (const name of names) kit.sim.inbound({ contact: { name }, text: `hello from ${name}` });
    core = await createCore({ dataDir: path.join(tmp.dir, 'core'), log: () => undefined });
    channelId = (
      await addAllChannels(core, [
        { provider: 'chatpion', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
      ])
    ).chatpion;
    await waitFor('four subscribers', async () => (await conversationCount()) === 4, 20_000);
  }, 30_000);
  afterAll(async () => {
    await core?.close();
    await kit?.close();
    tmp.cleanup();
  });

  it('previews the text per recipient, and says what is wrong with a bad one', async () => {
    const audience = { channelIds: [channelId] };
    const p = await api<BroadcastPreview>(core, 'POST', '/api/v1/broadcasts/preview', {
      audience,
      text: 'Hi {{ first_name | there }}!',
    });
    expect(p.status).toBe(200);
    expect(p.body.total).toBe(4);
    expect(p.body.perChannel).toEqual([expect.objectContaining({ recipients: 4, mode: 'fanout' })]);
    expect(p.body.samples).toHaveLength(4);
    for (const s of p.body.samples) expect(s.text).toBe(`Hi ${s.contactName.split(' ')[0]}!`);
    expect(p.body.samples.map((s) => s.text)).toEqual(expect.arrayContaining(['Hi Zoë!', 'Hi Łukasz!']));

    const plain = await api<BroadcastPreview>(core, 'POST', '/api/v1/broadcasts/preview', {
      audience,
      text: 'We open at 9',
    });
    expect(plain.body.perChannel[0].mode).toBe('native');

    const bad = await api<BroadcastPreview>(core, 'POST', '/api/v1/broadcasts/preview', {
      audience,
      text: 'Order {{order_id}} shipped',
    });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ total: 4, samples: [] });
    expect(bad.body.textError).toMatch(/\{\{order_id\}\}/);
  });

  it('refuses an unknown variable or unclosed braces with a sentence, and makes nothing', async () => {
    const before = (await api<{ items: Broadcast[] }>(core, 'GET', '/api/v1/broadcasts')).body.items.length;
    const unknown = await api<ErrorBody>(core, 'POST', '/api/v1/broadcasts', {
      name: 'Orders',
      text: 'Your order {{order_id}} shipped',
      audience: { channelIds: [channelId] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('template_unknown_variable');
    expect(unknown.body.error.message).toMatch(/^The message uses \{\{order_id\}\}.*\{\{first_name\}\}/);
    const unclosed = await api<ErrorBody>(core, 'POST', '/api/v1/broadcasts', {
      name: 'Typo',
      text: 'Hi {{name, welcome',
      audience: { channelIds: [channelId] },
    });
    expect(unclosed.status).toBe(400);
    expect(unclosed.body.error.code).toBe('template_unclosed');
    const after = (await api<{ items: Broadcast[] }>(core, 'GET', '/api/v1/broadcasts')).body.items.length;
    expect(after).toBe(before);
    expect(kit.sent.filter((s) => /order|welcome/.test(s.text))).toEqual([]);
  });

  it('refuses a confirmed count the audience no longer has', async () => {
    const r = await api<ErrorBody>(core, 'POST', '/api/v1/broadcasts', {
      name: 'Stale count',
      text: 'Hi {{name}}',
      audience: { channelIds: [channelId] },
      expectedRecipients: 3,
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'audience_changed' });
    expect(r.body.error.message).toMatch(/4 recipients now, not 3/);
  });

  it('sends each recipient their own name, lists each with its status, and marks the copies', async () => {
    const tag = `open-${Date.now()}`;
    const created = await api<Broadcast>(core, 'POST', '/api/v1/broadcasts', {
      name: 'Hours',
      text: `Hi {{name}}, we open at 9 (${tag}).`,
      audience: { channelIds: [channelId] },
      expectedRecipients: 4,
    });
    expect(created.status).toBe(201);
    expect(created.body.total).toBe(4);
    const done = await waitFor(
      'the broadcast to complete',
      async () => {
        const b = await api<Broadcast>(core, 'GET', `/api/v1/broadcasts/${created.body.id}`);
        return b.body.status === 'completed' ? b.body : null;
      },
      30_000,
    );
    expect(done).toMatchObject({ sent: 4, failed: 0 });

    const texts = kit.sent.filter((s) => s.text.includes(tag)).map((s) => s.text);
    expect(texts).toHaveLength(4);
    expect(texts.some((t) => t.includes('{{'))).toBe(false);
    for (const name of names) expect(texts).toContain(`Hi ${name}, we open at 9 (${tag}).`);

    const r = await api<Recipients>(core, 'GET', `/api/v1/broadcasts/${created.body.id}/recipients`);
    expect(r.status).toBe(200);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.items).toHaveLength(texts.length);
    for (const item of r.body.items) {
      expect(item.status).toBe('sent');
      expect(texts).toContain(`Hi ${item.contactName}, we open at 9 (${tag}).`);
    }

    const zoe = r.body.items.find((i) => i.contactName === names[0])!;
    const thread = await api<{ items: Message[] }>(
      core,
      'GET',
      `/api/v1/conversations/${zoe.conversationId}/messages`,
    );
    const copy = thread.body.items.find((m) => m.text.includes(tag));
    expect(copy?.broadcast).toEqual({ id: created.body.id, name: 'Hours' });
    expect(thread.body.items.find((m) => m.direction === 'in')?.broadcast).toBeUndefined();
  }, 45_000);

  it('freezes the audience when the broadcast is made: a subscriber arriving later is not in it', async () => {
    const tag = `later-${Date.now()}`;
    const created = await api<Broadcast>(core, 'POST', '/api/v1/broadcasts', {
      name: 'Frozen',
      text: `Hello {{first_name|there}} (${tag})`,
      audience: { channelIds: [channelId] },
      scheduleAt: new Date(Date.now() + 5_000).toISOString(),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'scheduled', total: 4 });
    kit.sim.inbound({ contact: { name: 'Newcomer Late' }, text: 'hello, just arrived' });
    await waitFor('the newcomer to sync', async () => (await conversationCount()) === 5, 20_000);
    // Still waiting for its time: the newcomer was in the inbox before the broadcast went out.
    const meanwhile = await api<Broadcast>(core, 'GET', `/api/v1/broadcasts/${created.body.id}`);
    expect(meanwhile.body.status).toBe('scheduled');

    await waitFor(
      'the scheduled broadcast to complete',
      async () =>
        (await api<Broadcast>(core, 'GET', `/api/v1/broadcasts/${created.body.id}`)).body.status ===
        'completed',
      30_000,
    );
    const texts = kit.sent.filter((s) => s.text.includes(tag)).map((s) => s.text);
    expect(texts).toHaveLength(4);
    expect(texts.some((t) => t.includes('Newcomer'))).toBe(false);

    // A page at a time: two pages of two, then none, in the order they were frozen, nobody twice.
    const base = `/api/v1/broadcasts/${created.body.id}/recipients?limit=2`;
    const first = await api<Recipients>(core, 'GET', base);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api<Recipients>(core, 'GET', `${base}&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(new Set(all.map((i) => i.conversationId)).size).toBe(4);
    expect(all.map((i) => i.contactName)).not.toContain('Newcomer Late');

    const failed = await api<Recipients>(core, 'GET', `${base}&status=failed`);
    expect(failed.body).toEqual({ items: [], nextCursor: null });
    const badCursor = await api<ErrorBody>(core, 'GET', `${base}&cursor=nonsense`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toMatch(/^The cursor is not one this list gave out/);
    const missing = await api<ErrorBody>(core, 'GET', '/api/v1/broadcasts/99999/recipients');
    expect(missing.status).toBe(404);
  }, 60_000);
});
