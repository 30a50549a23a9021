// The same text sent twice in one conversation ("Thanks!", a snippet) reaches the customer twice when the
// second send's own attempt goes wrong: a provider error, a SIGKILL while it is `sending`, or after the same
// snippet went out in a broadcast. Before, the retry took the first copy for the second (findSent matches by
// text), marked it sent and dropped the first local message: two 202s, one message at the provider.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator } from '../../main/providers/chatapi/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, conversationWith, messagesOf, waitFor, type ApiClient } from '../helpers/api';
import { spawnCore } from '../helpers/spawn-core';

interface Item {
  id: string;
  text: string;
  status: string;
  attempts: number;
  error?: string;
}

let tmp: ReturnType<typeof tempDir>;
let kit: SimKit;

beforeAll(async () => {
  tmp = tempDir();
  kit = new SimKit(createSimulator({ seed: 31, conversations: 4 }));
  await kit.listen();
});
afterAll(async () => {
  await kit?.close();
  tmp.cleanup();
});
afterEach(() => kit.setFaults({ down: false, unanswered: false }));

const chatapi = () => ({ provider: 'chatapi', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() });
const isSent = (status: string) => ['sent', 'delivered', 'read'].includes(status);
const copiesAtProvider = (text: string) => kit.sent.filter((s) => s.text === text).length;
const outbox = async (c: ApiClient) => (await api<{ items: Item[] }>(c, 'GET', '/api/v1/outbox')).body.items;

async function newConversation(c: ApiClient, channelId: string): Promise<string> {
  const hello = `hello ${Date.now()} ${Math.random()}`;
  kit.sim.inbound({ text: hello });
  return (await waitFor('conversation', () => conversationWith(c, hello, channelId), 20_000)).id;
}

async function reply(c: ApiClient, conversationId: string, text: string): Promise<string> {
  const r = await api<{ id: string }>(c, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
    text,
  });
  expect(r.status).toBe(202);
  return r.body.id;
}

async function waitSent(c: ApiClient, conversationId: string, text: string, count: number): Promise<void> {
  await waitFor(
    `${count} × "${text}" shown as sent`,
    async () =>
      (await messagesOf(c, conversationId)).filter((m) => m.text === text && isSent(m.status)).length ===
      count,
    30_000,
  );
}

/** Both copies at the provider and in the conversation, each sent, none left in the outbox. */
async function expectTwice(c: ApiClient, conversationId: string, text: string): Promise<void> {
  await waitFor('the outbox drained', async () => (await outbox(c)).every((i) => i.text !== text), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  expect(copiesAtProvider(text)).toBe(2);
  const shown = (await messagesOf(c, conversationId)).filter((m) => m.text === text);
  expect(shown.map((m) => isSent(m.status))).toEqual([true, true]);
}

describe('the same text twice in one process', () => {
  let core: Core;
  let channelId: string;

  beforeAll(async () => {
    core = await createCore({
      dataDir: path.join(tmp.dir, 'a'),
      log: () => undefined,
      outboxInFlightGraceMs: 500,
    });
    channelId = (await addAllChannels(core, [chatapi()])).chatapi;
  }, 30_000);
  afterAll(() => core?.close());

  it('with a provider error on the second send: both arrive, both are shown sent', async () => {
    const conversationId = await newConversation(core, channelId);
    const text = `Thanks! ${Date.now()}`;
    await reply(core, conversationId, text);
    await waitSent(core, conversationId, text, 1);
    kit.setFaults({ down: true });
    await reply(core, conversationId, text);
    await waitFor(
      'the second attempt failed',
      async () => (await outbox(core)).some((i) => i.text === text && i.attempts > 0 && i.error),
      20_000,
    );
    kit.setFaults({ down: false });
    await expectTwice(core, conversationId, text);
  }, 60_000);

  it('the same snippet in a broadcast and then a reply whose attempt fails: both arrive', async () => {
    const conversationId = await newConversation(core, channelId);
    const text = `Our shop is open until 8 pm today ${Date.now()}`;
    const b = await api<{ id: string }>(core, 'POST', '/api/v1/broadcasts', {
      name: 'opening hours',
      text,
      audience: { channelIds: [channelId] },
    });
    expect(b.status).toBe(201);
    const done = await waitFor(
      'broadcast completed',
      async () => {
        const r = await api<{ status: string; total: number; sent: number }>(
          core,
          'GET',
          `/api/v1/broadcasts/${b.body.id}`,
        );
        return r.body.status === 'completed' && r.body;
      },
      30_000,
    );
    const recipients = done.total;
    expect(copiesAtProvider(text)).toBe(recipients);
    kit.setFaults({ down: true });
    await reply(core, conversationId, text);
    await waitFor(
      'the reply’s attempt failed',
      async () => (await outbox(core)).some((i) => i.text === text && i.attempts > 0 && i.error),
      20_000,
    );
    kit.setFaults({ down: false });
    await waitFor(
      'the outbox drained',
      async () => (await outbox(core)).every((i) => i.text !== text),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(copiesAtProvider(text)).toBe(recipients + 1);
    const shown = (await messagesOf(core, conversationId)).filter((m) => m.text === text);
    expect(shown.map((m) => isSent(m.status))).toEqual([true, true]);
    const after = await api<{ total: number; sent: number }>(core, 'GET', `/api/v1/broadcasts/${b.body.id}`);
    expect(after.body).toMatchObject({ total: recipients, sent: recipients });
  }, 60_000);
});

describe('the same text twice across a SIGKILL', () => {
  const dataDir = () => path.join(tmp.dir, 'crash');
  let child: ChildProcess | null = null;

  async function startChild(): Promise<ApiClient> {
    const started = await spawnCore({ dataDir: dataDir(), outboxInFlightGraceMs: 800 });
    child = started.child;
    return started.client;
  }

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('killed while the second is `sending` (its request never arrived): both arrive after the restart', async () => {
    fs.mkdirSync(dataDir(), { recursive: true });
    let c = await startChild();
    const channelId = (await addAllChannels(c, [chatapi()])).chatapi;
    const conversationId = await newConversation(c, channelId);
    const text = `Thanks! ${Date.now()}`;
    await reply(c, conversationId, text);
    await waitSent(c, conversationId, text, 1);
    kit.setFaults({ unanswered: true });
    await reply(c, conversationId, text);
    await waitFor('the second is sending', async () =>
      (await outbox(c)).some((i) => i.text === text && i.status === 'sending'),
    );
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;
    kit.setFaults({ unanswered: false });
    c = await startChild();
    await expectTwice(c, conversationId, text);
    child!.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }, 90_000);
});
