import { describe, expect, it } from 'vitest';
import type { Channel, Conversation, Message } from '../../main/domain/entities';
import { Directory, type DirectorySource } from '../../main/contract/notificationDirectory';
import {
  conversationHash,
  conversationIdFromUrl,
  inQuietHours,
  messagePreview,
  NotificationPolicy,
  type DesktopNotification,
  type IncomingMessage,
  type NotifySettings,
  type PolicyOptions,
  type Timer,
  type ViewState,
} from '../../main/contract/notificationPolicy';

/** A timer that only fires when the test says so. */
class FakeTimer implements Timer {
  private next = 1;
  readonly scheduled = new Map<number, { fn: () => void; ms: number }>();
  set(fn: () => void, ms: number): number {
    const handle = this.next++;
    this.scheduled.set(handle, { fn, ms });
    return handle;
  }
  clear(handle: unknown): void {
    this.scheduled.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.scheduled.values()];
    this.scheduled.clear();
    for (const { fn } of due) fn();
  }
}

/** Local time, so quiet-hours cases read the same in every time zone. */
const at = (hours: number, minutes = 0) => new Date(2025, 5, 2, hours, minutes).getTime();

function setup(options: Partial<PolicyOptions> = {}) {
  const env = {
    now: at(14),
    settings: { dndUntil: null, quietHours: null, mutedChannels: [], sound: true } as NotifySettings,
    view: { focused: false, openConversationId: null } as ViewState,
    shown: [] as DesktopNotification[],
    timer: new FakeTimer(),
  };
  const policy = new NotificationPolicy({
    clock: { now: () => env.now },
    settings: () => env.settings,
    view: () => env.view,
    show: (n) => env.shown.push(n),
    timer: env.timer,
    options,
  });
  return { env, policy, advance: (ms: number) => (env.now += ms), endBatch: () => env.timer.fireAll() };
}

let seq = 0;
function incoming(
  over: Partial<IncomingMessage['message']> & {
    channelId?: string;
    contactId?: string;
    contactName?: string;
  } = {},
): IncomingMessage {
  const { channelId = 'ch-wa', contactId, contactName = 'Ada Lovelace', ...message } = over;
  const conversationId = message.conversationId ?? 'conv-1';
  return {
    message: {
      id: `m-${++seq}`,
      conversationId,
      direction: 'in',
      text: 'Where is my order?',
      type: 'text',
      ...message,
    },
    channelId,
    channelName: 'Support WhatsApp',
    contactId: contactId ?? `contact-of-${conversationId}`,
    contactName,
  };
}

describe('NotificationPolicy', () => {
  it('notifies an inbound message when the window is unfocused, after the batch window', () => {
    const { env, policy, endBatch } = setup();
    expect(policy.offer(incoming())).toBe('queued');
    expect(env.shown).toEqual([]);
    expect([...env.timer.scheduled.values()].map((t) => t.ms)).toEqual([1_000]);
    endBatch();
    expect(env.shown).toEqual([
      {
        kind: 'message',
        conversationId: 'conv-1',
        title: 'Ada Lovelace · Support WhatsApp',
        body: 'Where is my order?',
        silent: false,
      },
    ]);
  });

  it('stays quiet only when the window is focused on that very conversation', () => {
    const { env, policy, endBatch } = setup();
    env.view = { focused: true, openConversationId: 'conv-1' };
    expect(policy.offer(incoming())).toBe('conversation-open');
    expect(policy.offer(incoming({ conversationId: 'conv-2' }))).toBe('queued');
    env.view = { focused: false, openConversationId: 'conv-1' };
    expect(policy.offer(incoming())).toBe('queued');
    endBatch();
    expect(env.shown.map((n) => n.conversationId).sort()).toEqual(['conv-1', 'conv-2']);
  });

  it("never notifies the agent's own replies", () => {
    const { env, policy, endBatch } = setup();
    expect(policy.offer(incoming({ direction: 'out' }))).toBe('own-reply');
    endBatch();
    expect(env.shown).toEqual([]);
  });

  it('never notifies backfilled history', () => {
    const { env, policy, endBatch } = setup();
    expect(policy.offer(incoming({ meta: { backfill: true } }))).toBe('backfill');
    expect(policy.offer(incoming({ conversationId: 'conv-2', meta: { backfill: false } }))).toBe('queued');
    endBatch();
    expect(env.shown.map((n) => n.conversationId)).toEqual(['conv-2']);
  });

  it('screen() applies the name-free rules so the shell can skip look-ups', () => {
    const { policy } = setup();
    expect(policy.screen(incoming({ meta: { backfill: true } }).message)).toBe('backfill');
    expect(policy.screen(incoming({ direction: 'out' }).message)).toBe('own-reply');
    expect(policy.screen(incoming().message)).toBeNull();
  });

  it('shows at most one notification per conversation within the rate-limit window', () => {
    const { policy, env, advance, endBatch } = setup({ perConversationMs: 5_000 });
    policy.offer(incoming());
    endBatch();
    advance(2_000);
    expect(policy.offer(incoming())).toBe('rate-limited');
    expect(policy.offer(incoming({ conversationId: 'conv-2' }))).toBe('queued');
    advance(3_000);
    expect(policy.offer(incoming())).toBe('queued');
    endBatch();
    expect(env.shown.map((n) => n.conversationId)).toEqual(['conv-1', 'conv-2', 'conv-1']);
  });

  it('folds several messages of one conversation in a batch into one notification with the latest text', () => {
    const { env, policy, endBatch } = setup();
    policy.offer(incoming({ text: 'hello' }));
    policy.offer(incoming({ text: 'anyone there?' }));
    endBatch();
    expect(env.shown).toHaveLength(1);
    expect(env.shown[0].body).toBe('(2 new) anyone there?');
  });

  it('collapses a burst from many conversations into one summary', () => {
    const { env, policy, endBatch } = setup({ maxIndividual: 3 });
    policy.offer(incoming({ conversationId: 'a', contactId: 'ada' }));
    policy.offer(incoming({ conversationId: 'a', contactId: 'ada' }));
    policy.offer(incoming({ conversationId: 'b', contactId: 'ada' }));
    policy.offer(incoming({ conversationId: 'c', contactId: 'bob' }));
    policy.offer(incoming({ conversationId: 'd', contactId: 'cy' }));
    endBatch();
    expect(env.shown).toEqual([
      {
        kind: 'summary',
        conversationId: null,
        title: 'Agent Inbox',
        body: '5 new messages from 3 customers',
        silent: false,
      },
    ]);
    // The summary counts as a notification for each conversation it covers.
    expect(policy.offer(incoming({ conversationId: 'c' }))).toBe('rate-limited');
  });

  it('shows up to maxIndividual conversations one by one', () => {
    const { env, policy, endBatch } = setup({ maxIndividual: 3 });
    for (const id of ['a', 'b', 'c']) policy.offer(incoming({ conversationId: id }));
    endBatch();
    expect(env.shown.map((n) => n.kind)).toEqual(['message', 'message', 'message']);
  });

  it('respects do-not-disturb until it lapses', () => {
    const { env, policy, advance } = setup();
    env.settings = { ...env.settings, dndUntil: new Date(env.now + 60 * 60_000).toISOString() };
    expect(policy.offer(incoming())).toBe('do-not-disturb');
    expect(policy.quietReason()).toBe('do-not-disturb');
    advance(60 * 60_000);
    expect(policy.offer(incoming())).toBe('queued');
  });

  it('ignores an unreadable dndUntil', () => {
    const { env, policy } = setup();
    env.settings = { ...env.settings, dndUntil: 'not a date' };
    expect(policy.offer(incoming())).toBe('queued');
  });

  it('respects quiet hours that span midnight', () => {
    const { env, policy } = setup();
    env.settings = { ...env.settings, quietHours: { from: '22:00', to: '07:00' } };
    env.now = at(23, 30);
    expect(policy.offer(incoming())).toBe('quiet-hours');
    env.now = at(6, 59);
    expect(policy.offer(incoming())).toBe('quiet-hours');
    env.now = at(7, 0);
    expect(policy.offer(incoming())).toBe('queued');
  });

  it('computes quiet hours inside one day, across midnight, and treats equal bounds as none', () => {
    const lunch = { from: '12:00', to: '13:00' };
    expect(inQuietHours(lunch, at(12, 30))).toBe(true);
    expect(inQuietHours(lunch, at(13, 0))).toBe(false);
    expect(inQuietHours(lunch, at(11, 59))).toBe(false);
    const night = { from: '22:00', to: '07:00' };
    expect(inQuietHours(night, at(22, 0))).toBe(true);
    expect(inQuietHours(night, at(0, 0))).toBe(true);
    expect(inQuietHours(night, at(21, 59))).toBe(false);
    expect(inQuietHours({ from: '09:00', to: '09:00' }, at(9, 0))).toBe(false);
    expect(inQuietHours({ from: '25:00', to: '07:00' }, at(3, 0))).toBe(false);
  });

  it('skips muted channels only', () => {
    const { env, policy, endBatch } = setup();
    env.settings = { ...env.settings, mutedChannels: ['ch-muted'] };
    expect(policy.offer(incoming({ channelId: 'ch-muted' }))).toBe('muted-channel');
    expect(policy.offer(incoming({ conversationId: 'conv-2' }))).toBe('queued');
    endBatch();
    expect(env.shown.map((n) => n.conversationId)).toEqual(['conv-2']);
  });

  it('is silent when sounds are off', () => {
    const { env, policy, endBatch } = setup();
    env.settings = { ...env.settings, sound: false };
    policy.offer(incoming());
    endBatch();
    expect(env.shown[0].silent).toBe(true);
  });

  it('gates notifications the renderer asks for by do-not-disturb too', () => {
    const { env, policy } = setup();
    expect(policy.direct({ title: 'Reply failed', body: 'Could not send', conversationId: 'c1' })).toEqual({
      kind: 'app',
      conversationId: 'c1',
      title: 'Reply failed',
      body: 'Could not send',
      silent: false,
    });
    env.settings = { ...env.settings, dndUntil: new Date(env.now + 60_000).toISOString() };
    expect(policy.direct({ title: 'Reply failed', body: 'Could not send' })).toBeNull();
  });

  it('shows team alerts at once, through do-not-disturb, quiet hours, muted channels and the open conversation', () => {
    const { env, policy } = setup();
    const mention = {
      kind: 'mentioned' as const,
      conversationId: 'c1',
      channelId: 'ch-wa',
      contactName: 'Ada Lovelace',
      by: 'Ana',
      text: '@Ben could you look?',
    };
    expect(policy.offerTeam(mention)).toBe('shown');
    expect(policy.offerTeam({ ...mention, kind: 'assigned', by: null, text: '' })).toBe('shown');
    expect(env.shown).toEqual([
      {
        kind: 'team',
        conversationId: 'c1',
        title: 'Ana mentioned you · Ada Lovelace',
        body: '@Ben could you look?',
        silent: false,
      },
      {
        kind: 'team',
        conversationId: 'c1',
        title: 'Assigned to you · Ada Lovelace',
        body: 'This conversation is yours now.',
        silent: false,
      },
    ]);
    env.view = { focused: true, openConversationId: 'c1' };
    expect(policy.offerTeam(mention)).toBe('conversation-open');
    env.view = { focused: false, openConversationId: null };
    env.settings = { ...env.settings, mutedChannels: ['ch-wa'] };
    expect(policy.offerTeam(mention)).toBe('muted-channel');
    env.settings = { ...env.settings, quietHours: { from: '13:00', to: '15:00' } };
    expect(policy.offerTeam(mention)).toBe('quiet-hours');
    env.settings = { ...env.settings, dndUntil: new Date(env.now + 60_000).toISOString() };
    expect(policy.offerTeam(mention)).toBe('do-not-disturb');
    expect(env.shown).toHaveLength(2);
  });

  it('dispose() drops the pending batch', () => {
    const { env, policy } = setup();
    policy.offer(incoming());
    policy.dispose();
    expect(env.timer.scheduled.size).toBe(0);
    policy.flush();
    expect(env.shown).toEqual([]);
  });
});

describe('messagePreview', () => {
  it('keeps short text, on one line', () => {
    expect(messagePreview({ text: '  hi\n\nthere  ', type: 'text' }, 120)).toBe('hi there');
  });

  it('cuts long text at a word boundary to at most the limit, with an ellipsis', () => {
    const text = 'word '.repeat(60);
    const preview = messagePreview({ text, type: 'text' }, 120);
    expect(Array.from(preview).length).toBeLessThanOrEqual(120);
    expect(preview.endsWith('word…')).toBe(true);
  });

  it('never splits an emoji', () => {
    const preview = messagePreview({ text: '😀'.repeat(200), type: 'text' }, 10);
    expect(preview).toBe(`${'😀'.repeat(9)}…`);
  });

  it('describes media without text', () => {
    expect(messagePreview({ text: '', type: 'image' }, 120)).toBe('Sent a photo');
    expect(messagePreview({ text: ' ', type: 'audio' }, 120)).toBe('Sent a voice message');
  });
});

describe('conversation routes', () => {
  it('round-trips ids through the hash route', () => {
    const id = 'chatpion:sub/42 ü';
    expect(conversationIdFromUrl(`http://127.0.0.1:4000/${conversationHash(id)}`)).toBe(id);
    expect(conversationHash(null)).toBe('#/inbox');
  });

  it('reads no conversation from other routes or broken escapes', () => {
    expect(conversationIdFromUrl('http://127.0.0.1:4000/')).toBeNull();
    expect(conversationIdFromUrl('http://127.0.0.1:4000/#/inbox')).toBeNull();
    expect(conversationIdFromUrl('http://127.0.0.1:4000/#/settings')).toBeNull();
    expect(conversationIdFromUrl('http://127.0.0.1:4000/#/inbox/%E0%A4%A')).toBeNull();
  });
});

describe('Directory', () => {
  const conversation = (id: string, channelId = 'ch-1'): Conversation => ({
    id,
    channelId,
    provider: 'chatpion',
    contact: { id: `k-${id}`, name: `Customer ${id}`, handle: `@${id}`, tags: [] },
    customerId: `u-${id}`,
    status: 'open',
    unreadCount: 1,
    lastMessage: null,
    lastActivityAt: '2025-06-02T12:00:00Z',
    waitingSince: null,
    snoozedUntil: null,
    tags: [],
    maxTextLength: null,
    assigneeId: null,
  });
  const message = (conversationId: string): Message => ({
    id: 'm1',
    conversationId,
    direction: 'in',
    text: 'hi',
    type: 'text',
    createdAt: '2025-06-02T12:00:00Z',
    status: 'received',
  });
  function source(known: Conversation[]) {
    const calls = { conversations: 0, channels: 0 };
    const api: DirectorySource = {
      async getConversation(id) {
        calls.conversations++;
        const found = known.find((c) => c.id === id);
        if (!found) throw new Error('HTTP 404');
        return found;
      },
      async listChannels() {
        calls.channels++;
        return [{ id: 'ch-1', name: 'Shop Instagram' } as Channel];
      },
    };
    return { api, calls };
  }

  it('uses conversations seen in events without asking the API', async () => {
    const { api, calls } = source([]);
    const directory = new Directory(api);
    directory.rememberConversation(conversation('c1'));
    directory.rememberChannel({ id: 'ch-1', name: 'Shop Instagram' });
    expect(await directory.describe(message('c1'))).toMatchObject({
      channelId: 'ch-1',
      channelName: 'Shop Instagram',
      contactId: 'k-c1',
      contactName: 'Customer c1',
    });
    expect(calls).toEqual({ conversations: 0, channels: 0 });
  });

  it('fetches unknown conversations and channels once', async () => {
    const { api, calls } = source([conversation('c2')]);
    const directory = new Directory(api);
    await directory.describe(message('c2'));
    const again = await directory.describe(message('c2'));
    expect(again?.channelName).toBe('Shop Instagram');
    expect(calls).toEqual({ conversations: 1, channels: 1 });
  });

  it('answers null for a conversation the API does not know', async () => {
    const { api } = source([]);
    expect(await new Directory(api).describe(message('gone'))).toBeNull();
  });
});
