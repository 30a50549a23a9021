// Team mode's cache (main/db/team.ts) against answers recorded from a hub: the snapshot and feed applied
// idempotently with the cursor in the same transaction, the agent's own queued reply and note recognised when
// the feed brings them back, the upload queue in order with each answer kept, and signing out with or without
// the cache.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../main/db';
import type { HubConversation, HubMessage } from '../../main/contract/hub';
import { tempDir } from '../helpers/tmp';

const ANA = '6f1d1c8e-0000-4000-8000-000000000001';
const BEN = '6f1d1c8e-0000-4000-8000-000000000002';
const CHANNEL = '3b0c2d4e-0000-4000-8000-0000000000c1';

const conversation = (id: string, o: Partial<HubConversation> = {}): HubConversation => ({
  id,
  channelId: CHANNEL,
  provider: 'chatapi',
  contact: { id: `k${id}`, name: `Customer ${id}`, handle: `@c${id}`, tags: [] },
  customerId: `k${id}`,
  status: 'open',
  unreadCount: 1,
  lastMessage: null,
  lastActivityAt: '2026-12-01T10:00:00.000Z',
  waitingSince: '2026-12-01T10:00:00.000Z',
  snoozedUntil: null,
  tags: [],
  maxTextLength: null,
  assigneeId: null,
  ...o,
});
const message = (id: string, conversationId: string, o: Partial<HubMessage> = {}): HubMessage => ({
  id,
  conversationId,
  direction: 'in',
  text: `message ${id}`,
  type: 'text',
  createdAt: '2026-12-01T10:00:00.000Z',
  status: 'received',
  authorId: null,
  ...o,
});

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const local = (hubId: string) => store.team.localConversationId(hubId)!;
const messages = (hubId: string) => store.messages.list(local(hubId), undefined, 50).items;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(path.join(tmp.dir, 'inbox.db'));
  store.team.signIn(
    'http://127.0.0.1:9',
    { id: ANA, email: 'ana@acme.test', name: 'Ana', role: 'admin' },
    Buffer.from('sealed'),
  );
  store.team.applyDirectory(
    [
      {
        id: CHANNEL,
        provider: 'chatapi',
        name: 'Team chatapi',
        status: 'live',
        baseUrl: 'http://127.0.0.1:9',
      },
    ],
    [
      { id: ANA, email: 'ana@acme.test', name: 'Ana', role: 'admin', active: true },
      { id: BEN, email: 'ben@acme.test', name: 'Ben', role: 'agent', active: true },
    ],
  );
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('the team cache', () => {
  it('stores the snapshot, then the feed, the same however often a change is applied', () => {
    store.team.applySnapshotPage(
      {
        conversations: [conversation('1'), conversation('2')],
        messages: [message('10', '1'), message('20', '2')],
      },
      'next',
      ANA,
    );
    expect(store.team.get()).toMatchObject({ cursor: null, snapshotCursor: 'next' });
    store.team.setCursor(5);
    const changes = [
      {
        seq: 6,
        kind: 'conversation',
        data: conversation('1', { assigneeId: BEN, status: 'pending', tags: ['vip'] }),
      },
      { seq: 7, kind: 'message', data: message('11', '1', { createdAt: '2026-12-01T10:05:00.000Z' }) },
      {
        seq: 8,
        kind: 'note',
        data: {
          id: '90',
          conversationId: '1',
          authorId: BEN,
          text: 'call back',
          createdAt: '2026-12-01T10:06:00.000Z',
        },
      },
      // A message before its conversation in the same page: conversations are applied first.
      { seq: 9, kind: 'message', data: message('30', '3') },
      { seq: 10, kind: 'conversation', data: conversation('3') },
    ];
    store.team.applyChanges(changes, 10, ANA);
    store.team.applyChanges(changes, 10, ANA);
    expect(store.team.get()).toMatchObject({ cursor: 10, snapshotCursor: null });
    const c1 = store.conversations.get(local('1'))!;
    expect(c1).toMatchObject({ assigneeId: BEN, status: 'pending', tags: ['vip'], channelId: CHANNEL });
    expect(c1.lastMessage?.text).toBe('message 11');
    expect(messages('1').map((m) => m.text)).toEqual(['message 11', 'message 10']);
    expect(messages('3').map((m) => m.text)).toEqual(['message 30']);
    expect(store.team.notes(local('1'))).toEqual([
      expect.objectContaining({ text: 'call back', authorName: 'Ben', status: 'applied' }),
    ]);
    expect(store.counts()).toEqual({ conversations: 3, messages: 4 });
    // The hub's channel is listed as the team's, never among the desktop's own (nothing here syncs it).
    expect(store.channels.all()).toEqual([]);
    expect(store.team.channels().map((c) => c.name)).toEqual(['Team chatapi']);
  });

  it('counts the conversations stored, tells of an assignment to the agent by someone else, and drops a removed channel', () => {
    const page = store.team.applySnapshotPage(
      { conversations: [conversation('1', { assigneeId: ANA })], messages: [] },
      'next',
      ANA,
    );
    // The snapshot tells nobody: what was assigned before the agent joined is no news.
    expect(page.assignedToMe).toEqual([]);
    expect(store.team.conversationCount()).toBe(1);
    store.team.setCursor(1);
    const assigned = store.team.applyChanges(
      [
        { seq: 2, kind: 'conversation', data: conversation('1', { assigneeId: ANA, status: 'pending' }) },
        { seq: 3, kind: 'conversation', data: conversation('2', { assigneeId: ANA, unreadCount: 3 }) },
        { seq: 4, kind: 'conversation', data: conversation('3', { assigneeId: BEN }) },
      ],
      4,
      ANA,
    );
    expect(assigned.assignedToMe).toEqual([local('2')]);
    expect(store.team.conversationCount()).toBe(3);
    expect(store.team.unreadAssignedTo(ANA)).toBe(1 + 3);
    expect(store.team.unreadAssignedTo(BEN)).toBe(1);

    store.team.applyChanges([{ seq: 5, kind: 'channel', data: { id: CHANNEL, deleted: true } }], 5, ANA);
    expect(store.team.channels()).toEqual([]);
    expect(store.team.conversationCount()).toBe(0);
    expect(store.team.get()).toMatchObject({ cursor: 5 });
  });

  it("queues the agent's writes in order and recognises its reply and note when the feed brings them", () => {
    store.team.applySnapshotPage({ conversations: [conversation('1')], messages: [] }, 'n', ANA);
    store.team.setCursor(1);
    const id = local('1');
    const reply = store.messages.insertLocalReply(id, CHANNEL, 'on it', {});
    store.team.queueOp({
      id: 'op-reply',
      kind: 'reply',
      conversationId: id,
      messageId: Number(reply.id),
      body: { text: 'on it' },
    });
    store.team.queueNote(id, { id: 'op-note', text: 'refund approved' }, ANA);
    store.team.queueOp({
      id: 'op-claim',
      kind: 'assign',
      conversationId: id,
      body: { assigneeId: ANA, expectedAssigneeId: null },
    });
    expect(store.team.queuedOps(10).map((o) => o.op)).toEqual([
      { text: 'on it', id: 'op-reply', kind: 'reply', conversationId: '1' },
      { text: 'refund approved', id: 'op-note', kind: 'note', conversationId: '1' },
      { assigneeId: ANA, expectedAssigneeId: null, id: 'op-claim', kind: 'assign', conversationId: '1' },
    ]);
    // The hub's answers, as recorded: a retried reply answers 'duplicate' (success), a lost claim 'conflict'.
    store.team.settleOp({ id: 'op-reply', status: 'duplicate' });
    store.team.settleOp({ id: 'op-note', status: 'applied' });
    store.team.settleOp({
      id: 'op-claim',
      status: 'conflict',
      current: { assigneeId: BEN, assigneeName: 'Ben' },
    });
    expect(store.team.queuedCount()).toBe(0);
    expect(store.messages.get(Number(reply.id))!.status).toBe('sending');
    expect(store.team.problems()).toEqual([
      expect.objectContaining({ opId: 'op-claim', status: 'conflict', reason: 'Ben has this conversation' }),
    ]);
    store.team.applyChanges(
      [
        {
          seq: 2,
          kind: 'message',
          data: message('12', '1', { direction: 'out', text: 'on it', status: 'sent', authorId: ANA }),
        },
        {
          seq: 3,
          kind: 'note',
          data: {
            id: '91',
            conversationId: '1',
            authorId: ANA,
            text: 'refund approved',
            createdAt: '2026-12-01T10:07:00.000Z',
          },
        },
      ],
      3,
      ANA,
    );
    expect(messages('1')).toEqual([expect.objectContaining({ id: reply.id, text: 'on it', status: 'sent' })]);
    expect(store.team.notes(id)).toEqual([
      expect.objectContaining({ text: 'refund approved', status: 'applied' }),
    ]);
  });

  it('signs out keeping the cache, or deleting it', () => {
    store.team.applySnapshotPage(
      { conversations: [conversation('1')], messages: [message('10', '1')] },
      'n',
      ANA,
    );
    store.team.signOut(true);
    expect(store.team.get()).toBeNull();
    expect(store.counts()).toEqual({ conversations: 1, messages: 1 });
    store.team.signIn(
      'http://127.0.0.1:9',
      { id: ANA, email: 'ana@acme.test', name: 'Ana', role: 'admin' },
      Buffer.from('x'),
    );
    store.team.signOut(false);
    expect(store.counts()).toEqual({ conversations: 0, messages: 0 });
    expect(store.team.channels()).toEqual([]);
  });
});
