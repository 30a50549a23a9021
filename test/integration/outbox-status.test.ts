// A conversation the agent resolves (or reopens) is told to its provider where the provider's document has a way
// (Assistify's close_conversation), through the outbox: in order with the conversation's replies, a newer change
// replacing one still waiting, a transient failure retried, a refusal shown on the item while the conversation
// keeps the status the agent gave it. Against the Assistify simulator in both modes (the API end to end), and the
// store and dispatcher with a fake connector for order and failures; about 10 s.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type { OutboxItem } from '../../main/domain/entities';
import type { ProviderConnector } from '../../main/providers/types';
import { openStore, type Store } from '../../main/db';
import { sqliteOutboxStorage } from '../../main/db/outboxStorage';
import type { OutboxState } from '../../main/domain/storage';
import { CoreEvents } from '../../main/events';
import { Dispatcher } from '../../main/outbox/dispatcher';
import { statusPush } from '../../main/outbox/status';
import { ProviderError } from '../../main/providers/http';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator, type AssistifySimulator } from '../../main/providers/assistify/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, conversationWith, waitFor } from '../helpers/api';
import { queueReply, seedChannel, seedConversation } from '../helpers/seed';
import { SIM_MODES } from '../helpers/sim-modes';

describe.each(SIM_MODES)('resolving an Assistify conversation ($mode simulator)', ({ strict }) => {
  let tmp: ReturnType<typeof tempDir>;
  let kit: SimKit;
  let core: Core;
  let channelId: string;

  beforeAll(async () => {
    tmp = tempDir();
    kit = new SimKit(createSimulator({ seed: 61, strict }));
    await kit.listen();
    core = await createCore({ dataDir: path.join(tmp.dir, 'core'), log: () => undefined });
    channelId = (
      await addAllChannels(core, [
        { provider: 'assistify', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
      ])
    ).assistify;
  }, 30_000);
  afterAll(async () => {
    await core?.close();
    await kit?.close();
    tmp.cleanup();
  });

  it('closes it at Assistify, once, through the outbox', async () => {
    const hello = `please close this ${Date.now()}`;
    const { conversationId: remoteId } = kit.sim.inbound({ text: hello });
    const c = await waitFor('the conversation', () => conversationWith(core, hello, channelId), 20_000);
    const remote = () => (kit.sim as AssistifySimulator).world.conversations.get(Number(remoteId));
    expect(remote()?.status).not.toBe('closed');

    const r = await api<{ status: string }>(core, 'PATCH', `/api/v1/conversations/${c.id}`, {
      status: 'resolved',
    });
    expect(r.body.status).toBe('resolved');
    await waitFor('closed at Assistify', () => remote()?.status === 'closed', 15_000);
    const items = (await api<{ items: OutboxItem[] }>(core, 'GET', '/api/v1/outbox?status=sent')).body.items;
    expect(items.filter((i) => i.kind === 'status' && i.conversationId === c.id)).toMatchObject([
      { text: 'resolve the conversation' },
    ]);

    // Setting a status the provider already shows queues nothing.
    await api(core, 'PATCH', `/api/v1/conversations/${c.id}`, { status: 'resolved' });
    const all = (await api<{ items: OutboxItem[] }>(core, 'GET', '/api/v1/outbox?status=sent')).body.items;
    expect(all.filter((i) => i.kind === 'status' && i.conversationId === c.id)).toHaveLength(1);
  }, 40_000);
});

describe('status changes in the outbox', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let ch: string;
  let convId: number;
  let dispatcher: Dispatcher | null = null;

  beforeEach(() => {
    tmp = tempDir();
    store = openStore(path.join(tmp.dir, 'inbox.db'));
    ch = seedChannel(store);
    convId = seedConversation(store, ch);
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = null;
    store.close();
    tmp.cleanup();
  });

  /** A provider that logs what it is told, in order; `failures` are thrown, one per call, first. */
  function fakeProvider() {
    const log: string[] = [];
    const failures: ProviderError[] = [];
    const connector = {
      provider: 'assistify',
      send: (_ref: unknown, text: string) => {
        log.push(`reply ${text}`);
        return Promise.resolve({
          externalId: `p${log.length}`,
          createdAt: new Date().toISOString(),
          status: 'sent',
        });
      },
      findSent: () => Promise.resolve([]),
      setConversationStatus: (_ref: unknown, status: string) => {
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        log.push(status);
        return Promise.resolve();
      },
    } as unknown as ProviderConnector;
    return { log, failures, connector };
  }

  const setStatus = (connector: ProviderConnector, status: 'open' | 'resolved' | 'pending') => {
    const before = store.conversations.get(convId)!.status;
    const after = store.conversations.patch(convId, { status })!;
    const push = statusPush(connector, after, before);
    if (push) store.outbox.queueStatus(after.channelId, convId, push);
    return push !== null;
  };

  function start(connector: ProviderConnector): void {
    dispatcher = new Dispatcher({
      storage: sqliteOutboxStorage(store),
      events: new CoreEvents(),
      connectorFor: () => connector,
      syncPaused: () => false,
      log: () => undefined,
    });
    dispatcher.start();
  }

  /** Status items still to go or failed, or in `state`. */
  const statusItems = (state: OutboxState | null = null) =>
    store.outbox.list(state).filter((r) => r.kind === 'status');

  it('goes after the replies written before it; a newer change replaces one still waiting', async () => {
    const { log, connector } = fakeProvider();
    queueReply(store, ch, convId, 'Done, closing this', 'r1');
    expect(setStatus(connector, 'resolved')).toBe(true);
    expect(setStatus(connector, 'pending')).toBe(true); // open at the provider: replaces the resolve
    expect(setStatus(connector, 'open')).toBe(false); // still open at the provider: nothing to tell
    expect(setStatus(connector, 'resolved')).toBe(true);
    expect(statusItems().map((r) => JSON.parse(r.payload) as unknown)).toEqual([{ status: 'resolved' }]);
    const noWay = { ...connector, setConversationStatus: undefined } as ProviderConnector;
    expect(setStatus(noWay, 'open')).toBe(false);

    start(connector);
    await waitFor('told', () => log.length === 2);
    expect(log).toEqual(['reply Done, closing this', 'resolved']);
  });

  it('retries a transient failure; a refusal fails the item and the conversation keeps the agent’s status', async () => {
    const { log, failures, connector } = fakeProvider();
    failures.push(new ProviderError('server', 'POST /conversations/1/close_conversation/: 503', 503, 50));
    setStatus(connector, 'resolved');
    start(connector);
    await waitFor('retried and told', () => log.includes('resolved'), 10_000);
    expect(statusItems()).toEqual([]);
    expect(statusItems('sent')).toHaveLength(1);

    failures.push(
      new ProviderError(
        'client',
        'POST /conversations/1/close_conversation/: 400 already closed',
        400,
        undefined,
        'already closed',
      ),
    );
    setStatus(connector, 'open');
    setStatus(connector, 'resolved');
    dispatcher!.kick();
    await waitFor('refused', () => statusItems().some((r) => r.status === 'failed'));
    expect(statusItems().find((r) => r.status === 'failed')?.error).toBe(
      'Assistify refused the status change: already closed',
    );
    expect(store.conversations.get(convId)?.status).toBe('resolved');
  });
});
