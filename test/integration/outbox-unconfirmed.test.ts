// A send whose outcome the provider leaves unknown (ProviderError 'unconfirmed': Assistify's chat socket takes a
// frame and echoes nothing) may have reached the customer: the outbox never sends it again blindly. It asks the
// provider (findSent) a few times, spread over a couple of minutes (here scaled down with the in-flight grace);
// found, the reply is sent; never found, it is parked as failed with a reason the agent can act on, holding the
// conversation's later replies until the agent retries, edits or discards it. Against the real store and
// dispatcher, with a fake connector; about 5 s.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../main/db';
import { sqliteOutboxStorage } from '../../main/db/outboxStorage';
import { CoreEvents } from '../../main/events';
import { Dispatcher } from '../../main/outbox/dispatcher';
import { ProviderError } from '../../main/providers/http';
import type { SentMessage } from '../../main/domain/remote';
import type { ProviderConnector } from '../../main/providers/types';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/api';
import { queueReply, seedChannel, seedConversation } from '../helpers/seed';

/** The checks come at 1, 2.5, 5 and 10 times this after the send: 0.2, 0.5, 1 and 2 s. */
const GRACE_MS = 200;

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let ch: string;
let convId: number;
let dispatcher: Dispatcher;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(path.join(tmp.dir, 'inbox.db'));
  ch = seedChannel(store);
  convId = seedConversation(store, ch);
});
afterEach(async () => {
  await dispatcher?.stop();
  store.close();
  tmp.cleanup();
});

const reply = (text: string) => queueReply(store, ch, convId, text);

/**
 * A provider whose sends of `unconfirmed` texts leave without an answer; those in `lands` still arrive, and are
 * listed `listedAfterMs` later.
 */
function fakeProvider() {
  const held: (SentMessage & { text: string; listedAt: number })[] = [];
  const p = {
    held,
    unconfirmed: new Set<string>(),
    lands: new Set<string>(),
    listedAfterMs: 0,
    sends: [] as string[],
    findSentCalls: 0,
  };
  const connector = {
    provider: 'assistify',
    send: (_ref: unknown, text: string) => {
      p.sends.push(text);
      const m = {
        externalId: `p${p.sends.length}`,
        createdAt: new Date().toISOString(),
        status: 'sent' as const,
      };
      const silent = p.unconfirmed.has(text);
      if (!silent || p.lands.has(text)) held.push({ ...m, text, listedAt: Date.now() + p.listedAfterMs });
      return silent
        ? Promise.reject(
            new ProviderError('unconfirmed', 'the chat socket took the message and said nothing'),
          )
        : Promise.resolve(m);
    },
    findSent: (_ref: unknown, text: string) => {
      p.findSentCalls++;
      const now = Date.now();
      return Promise.resolve(
        held.filter((m) => m.text === text && m.listedAt <= now).map(({ text: _t, listedAt: _l, ...m }) => m),
      );
    },
  } as unknown as ProviderConnector;
  return { p, connector };
}

function start(connector: ProviderConnector): void {
  dispatcher = new Dispatcher({
    storage: sqliteOutboxStorage(store),
    events: new CoreEvents(),
    connectorFor: () => connector,
    syncPaused: () => false,
    log: () => undefined,
    inFlightGraceMs: GRACE_MS,
  });
  dispatcher.start();
}

describe('a send left unconfirmed', () => {
  it('is looked for, not sent again, and marked sent once the provider lists it', async () => {
    const { p, connector } = fakeProvider();
    p.unconfirmed.add('On its way');
    p.lands.add('On its way');
    p.listedAfterMs = 700; // missed by the first two checks (0.2 s, 0.5 s), found by the third (1 s)
    const r = reply('On its way');
    start(connector);
    await waitFor('the reply shown as leaving', () => store.outbox.get(r.row.id)?.unconfirmed_since);
    expect(store.messages.get(r.messageId)).toMatchObject({
      status: 'sending',
      error: 'sent, checking that Assistify has it',
    });
    await waitFor('the reply found', () => store.outbox.get(r.row.id)?.status === 'sent', 5_000);
    expect(p.sends).toEqual(['On its way']);
    expect(p.findSentCalls).toBe(3);
    expect(store.messages.get(r.messageId)?.status).toBe('sent');
    expect(store.messages.replyCarrying(convId, 'p1')).toBe(r.messageId);
  });

  it('never listed: parked as failed for the agent, holding the later replies, never sent again by itself', async () => {
    const { p, connector } = fakeProvider();
    p.unconfirmed.add('Refund issued');
    const first = reply('Refund issued');
    const later = reply('Anything else?');
    start(connector);
    await waitFor('parked', () => store.outbox.get(first.row.id)?.status === 'failed', 5_000);
    const reason = 'sent but not confirmed by Assistify: check the conversation before sending again';
    expect(store.outbox.get(first.row.id)?.error).toBe(reason);
    expect(store.messages.get(first.messageId)).toMatchObject({ status: 'failed', error: reason });
    expect(p.findSentCalls).toBe(4);
    await new Promise((r) => setTimeout(r, 500));
    expect(p.sends).toEqual(['Refund issued']);
    expect(store.outbox.get(later.row.id)).toMatchObject({ status: 'queued', held_by: first.row.id });

    // The agent checked the conversation and sends it again: it goes, then the reply it held.
    p.unconfirmed.clear();
    expect(store.outbox.requeue(first.row.id)).toBe(true);
    dispatcher.kick();
    await waitFor('both sent', () => store.outbox.get(later.row.id)?.status === 'sent', 5_000);
    expect(p.sends).toEqual(['Refund issued', 'Refund issued', 'Anything else?']);
  });
});
