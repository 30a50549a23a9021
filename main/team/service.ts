// Team mode (issue 20): signing in to a hub and out again, and every team write the agent makes. A write is
// committed to SQLite first, the change shown at once and its op queued with a client id (uuid) in the same
// transaction; the session uploads the queue in order whenever the hub is reachable. Only an assignment waits
// for the hub, briefly, while it is reachable: a stale claim is then refused at once, naming who has it.
import crypto from 'node:crypto';
import type { Store } from '../db';
import type { ChannelService } from '../channels/service';
import type { CoreEvents } from '../events';
import type { SecretBox } from '../secrets/keyfile';
import type { Channel, Conversation, ConversationPatch, Message } from '../contract/schemas';
import type { Agent, OpResult, PresenceEvent } from '../contract/hub';
import type { TeamConnect, TeamNote, TeamState, TeamStatus } from '../contract/team';
import type { TeamApplied } from '../db/team';
import { DomainError } from '../domain/errors';
import { ApiError } from '../api/errors';
import { HubClient, HubError } from './hubClient';
import { TeamSession } from './session';
import { TeamAdmin } from './admin';

/** How long a claim waits for the hub's verdict while the hub is reachable (offline it queues at once). */
const CLAIM_WAIT_MS = 3_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamServiceDeps {
  store: Store;
  events: CoreEvents;
  channels: ChannelService;
  secrets: SecretBox;
  log: (line: string) => void;
  /** Tests: how often the session polls the hub when no push comes. */
  pollMs?: number;
}

export class TeamService {
  private session: TeamSession | null = null;
  /** Admins' requests to the hub: the team's agents and channels. */
  readonly admin: TeamAdmin;

  constructor(private readonly d: TeamServiceDeps) {
    this.admin = new TeamAdmin({
      ...d,
      channelView: (id) => this.channelList().find((c) => c.id === id) ?? null,
    });
    // A window's presence (main/api/plugins/socket.ts), relayed to the hub under the hub's conversation id.
    d.events.on('team.presence.report', (r) => {
      const hubId = this.session && d.store.team.hubConversationId(Number(r.conversationId));
      if (hubId) this.session!.presence(hubId, r.state);
    });
  }

  /** Follows the hub this desktop is signed in to, if any. False in solo mode. */
  resume(): boolean {
    const team = this.d.store.team.get();
    if (!team) return false;
    // Sealed by an earlier scheme (see README, "Where data lives"): sealed again by the current one, as credentials are.
    let token: string;
    try {
      const resealed = this.d.secrets.reseal?.(team.token);
      if (resealed) this.d.store.team.resealToken(resealed);
      token = this.d.secrets.decrypt(team.token);
    } catch (e) {
      // A keyring that went away took the token with it: the team shows signed out, to sign in again.
      this.d.log(`[team] the session token cannot be read (${(e as Error).message}): sign in again`);
      return true;
    }
    this.startSession(team.hubUrl, token);
    return true;
  }

  inTeam(): boolean {
    return this.d.store.team.get() !== null;
  }

  state(): TeamState | null {
    const team = this.d.store.team.get();
    if (!team) return null;
    return {
      hubUrl: team.hubUrl,
      agent: team.agent,
      status: this.session?.status ?? 'signed_out',
      queued: this.d.store.team.queuedCount(),
      problems: this.d.store.team.problems(),
      snapshot: { done: team.cursor !== null, conversations: this.d.store.team.conversationCount() },
    };
  }

  /**
   * Signs in. Signed out by the hub (a revoked session, an unreadable token), the same agent may sign in to the
   * same hub again: the cache, its cursor and the writes still queued carry on under the new session.
   */
  async connect(body: TeamConnect): Promise<TeamState> {
    const hubUrl = body.hubUrl.replace(/\/+$/, '');
    const current = this.d.store.team.get();
    const renewing = current !== null && this.state()!.status === 'signed_out' && current.hubUrl === hubUrl;
    if (current && !renewing)
      throw DomainError.conflict(
        'team_connected',
        'This desktop is signed in to a hub already: sign out first.',
      );
    const client = new HubClient(hubUrl);
    let session;
    try {
      session = await client.signIn(body.email, body.password);
    } catch (e) {
      throw signInRefusal(e, hubUrl);
    }
    if (renewing) {
      if (session.agent.id !== current.agent.id)
        throw DomainError.conflict(
          'team_connected',
          `This desktop's team data is ${current.agent.email}'s: sign out first to sign in as someone else.`,
        );
      await this.session?.stop();
      this.d.store.team.resealToken(this.d.secrets.encrypt(session.token));
      this.startSession(hubUrl, session.token);
      return this.state()!;
    }
    this.d.store.team.signIn(hubUrl, session.agent, this.d.secrets.encrypt(session.token));
    // The hub owns the providers now: the desktop's own channels stop syncing while it is in the team.
    await this.d.channels.stopAll();
    this.startSession(hubUrl, session.token);
    this.d.log(`[team] signed in to ${hubUrl} as ${session.agent.email}`);
    return this.state()!;
  }

  async disconnect(keepCache: boolean): Promise<void> {
    const team = this.d.store.team.get();
    if (!team) return;
    await this.session?.stop();
    this.session = null;
    await new HubClient(team.hubUrl, this.d.secrets.decrypt(team.token)).signOut().catch(() => undefined);
    this.d.store.team.signOut(keepCache);
    this.d.channels.startAll();
    this.d.log(`[team] signed out of ${team.hubUrl}${keepCache ? ' (team cache kept)' : ''}`);
  }

  /** Team mode's unread count for the tray and badge: unread messages assigned to this agent; null in solo mode. */
  mineUnread(): number | null {
    const team = this.d.store.team.get();
    return team ? this.d.store.team.unreadAssignedTo(team.agent.id) : null;
  }

  agents(): Agent[] {
    return this.inTeam() ? this.d.store.team.agents() : [];
  }

  /** The team's channels, as the hub describes them (never credentials: the desktop has none of them). */
  channelList(): Channel[] {
    return this.d.store.team.channels().map((c) => {
      const row = this.d.store.channels.get(c.id);
      return {
        id: c.id,
        provider: c.provider,
        name: c.name,
        baseUrl: c.baseUrl ?? '',
        status: c.status,
        lastSyncAt: c.lastSyncAt ?? null,
        ...(c.error ? { error: c.error } : {}),
        capabilities: c.capabilities ?? this.d.channels.view(row!).capabilities,
      };
    });
  }

  /** Whether the conversation is one of the team's (its writes go to the hub), not of the desktop's own channels. */
  owns(conversationId: string): boolean {
    return this.inTeam() && this.d.store.team.hubConversationId(Number(conversationId)) !== null;
  }

  notes(conversationId: string): TeamNote[] {
    return this.d.store.team.notes(Number(conversationId));
  }

  /** The agent's reply: the message (queued) and its op in one transaction; the hub sends it to the provider. */
  reply(conv: Conversation, typed: string, clientId?: string): Message {
    const { store } = this.d;
    // Stored as the hub stores it (its contract trims an op's text), so the feed's copy is recognised as this one.
    const text = typed.trim();
    const opId = clientId && UUID.test(clientId) ? clientId : crypto.randomUUID();
    const stored = store.team.opMessage(opId);
    if (stored !== null) return store.messages.get(stored)!;
    const basedOnSeq = store.team.get()?.cursor ?? undefined;
    const message = store.transaction(() => {
      const m = store.messages.insertLocalReply(Number(conv.id), conv.channelId, text, { clientId: opId });
      store.team.queueOp({
        id: opId,
        kind: 'reply',
        conversationId: Number(conv.id),
        messageId: Number(m.id),
        body: { text, ...(basedOnSeq !== undefined ? { basedOnSeq } : {}) },
      });
      return m;
    });
    this.afterWrite(conv.id, message);
    return message;
  }

  note(conv: Conversation, text: string): TeamNote {
    const me = this.d.store.team.get()!.agent;
    const note = this.d.store.team.queueNote(Number(conv.id), { id: crypto.randomUUID(), text }, me.id);
    this.session?.kick();
    return note;
  }

  /**
   * Status, read state, tags and snooze: changed here at once, each queued as its op. The caller holds no
   * transaction or its own (bulk changes); nothing here waits.
   */
  patchLocal(before: Conversation, p: ConversationPatch): Conversation {
    const { store } = this.d;
    const id = Number(before.id);
    const ops: { kind: string; body: Record<string, unknown> }[] = [];
    if (p.snoozedUntil !== undefined || p.status === 'snoozed')
      ops.push({ kind: 'snooze', body: { until: p.snoozedUntil ?? before.snoozedUntil ?? null } });
    else if (p.status) ops.push({ kind: 'status', body: { status: p.status } });
    if (p.tags) ops.push({ kind: 'tags', body: { tags: [...new Set(p.tags)] } });
    if (p.read === true) ops.push({ kind: 'read', body: {} });
    const conversation = store.transaction(() => {
      const c = store.conversations.patch(id, p)!;
      for (const op of ops) store.team.queueOp({ id: crypto.randomUUID(), conversationId: id, ...op });
      return c;
    });
    if (ops.length) this.session?.kick();
    return conversation;
  }

  /**
   * Assigns (null: unassigns) as compare-and-set against `expected` (absent: the assignee this desktop knows).
   * While the hub is reachable the op is uploaded at once and its verdict awaited (a stale claim: 409 naming the
   * owner); offline, or when the hub is slow to answer, it stays queued and shows at once.
   */
  async assign(before: Conversation, assigneeId: string | null, expected: string | null | undefined) {
    const { store } = this.d;
    const id = Number(before.id);
    const opId = crypto.randomUUID();
    store.team.queueOp({
      id: opId,
      kind: 'assign',
      conversationId: id,
      body: { assigneeId, expectedAssigneeId: expected === undefined ? before.assigneeId : expected },
    });
    if (this.session?.status === 'online') await this.session.uploadNow(CLAIM_WAIT_MS).catch(() => undefined);
    else this.session?.kick();
    const verdict = store.team.opResult(opId);
    if (verdict?.status === 'conflict') {
      const current = verdict.result?.current ?? { assigneeId: null, assigneeName: null };
      throw new DomainError('conflict', 'assignee_changed', staleClaimSentence(current.assigneeName), [
        current,
      ]);
    }
    if (verdict?.status === 'rejected')
      throw DomainError.unprocessable(
        'rejected',
        verdict.result?.reason ?? 'The hub refused this assignment',
      );
    store.team.setAssignee(id, assigneeId);
    return store.conversations.get(id)!;
  }

  async close(): Promise<void> {
    await this.session?.stop();
    this.session = null;
  }

  private startSession(hubUrl: string, token: string): void {
    const session = new TeamSession({
      store: this.d.store,
      client: new HubClient(hubUrl, token),
      token,
      onApplied: (a) => this.emitApplied(a),
      onStatus: (s) => this.statusChanged(s),
      onSettled: (r, messageId) => this.settled(r, messageId),
      onPresence: (e) => this.presenceChanged(e),
      log: this.d.log,
      pollMs: this.d.pollMs,
    });
    this.session = session;
    session.start();
  }

  private afterWrite(conversationId: string, message: Message): void {
    const { store, events } = this.d;
    setImmediate(() => {
      if (!store.isOpen()) return;
      events.emit('message.created', message);
      events.emit('conversation.updated', store.conversations.get(Number(conversationId))!);
      this.session?.kick();
    });
  }

  private emitApplied(a: TeamApplied): void {
    const { store, events } = this.d;
    for (const id of a.createdMessages)
      emitIf(store.messages.get(id), (m) => events.emit('message.created', m));
    for (const id of a.updatedMessages)
      emitIf(store.messages.get(id), (m) => events.emit('message.updated', m));
    for (const id of a.conversations)
      emitIf(store.conversations.get(id), (c) => events.emit('conversation.updated', c));
    if (a.channels) for (const c of this.channelList()) events.emit('channel.updated', c);
    for (const id of a.notes) emitIf(store.team.note(id), (n) => events.emit('team.note', n));
    this.alert(a);
  }

  /** Tells this agent of conversations assigned to it by someone else, and of notes that @mention it. */
  private alert(a: TeamApplied): void {
    const { store, events } = this.d;
    const me = store.team.get()?.agent;
    if (!me) return;
    const about = (conversationId: number) => {
      const c = store.conversations.get(conversationId);
      if (!c) return null;
      const { id, channelId, contact, lastMessage } = c;
      return { conversationId: id, channelId, contactName: contact.name, text: lastMessage?.text ?? '' };
    };
    for (const id of a.assignedToMe)
      emitIf(about(id), (c) => events.emit('team.alert', { kind: 'assigned', ...c, by: null }));
    for (const id of a.notes) {
      const note = store.team.note(id);
      if (!note || note.authorId === me.id || !mentions(note.text, me.name)) continue;
      emitIf(about(Number(note.conversationId)), (c) =>
        events.emit('team.alert', { kind: 'mentioned', ...c, by: note.authorName, text: note.text }),
      );
    }
  }

  /** Who else is in a conversation, named, under the local conversation id (this agent is left out). */
  private presenceChanged(e: PresenceEvent): void {
    const { store, events } = this.d;
    const conversationId = store.team.localConversationId(e.conversationId);
    const me = store.team.get()?.agent.id;
    if (conversationId === null) return;
    events.emit('team.presence', {
      conversationId: String(conversationId),
      agents: e.agents
        .filter((a) => a.id !== me)
        .map((a) => ({ id: a.id, name: store.team.agentName(a.id) ?? 'Someone', state: a.state })),
    });
  }

  private settled(r: OpResult, messageId: number | null): void {
    const { store, events } = this.d;
    if (messageId !== null) emitIf(store.messages.get(messageId), (m) => events.emit('message.updated', m));
    const noteId = store.team.noteOfOp(r.id);
    if (noteId !== null) emitIf(store.team.note(noteId), (n) => events.emit('team.note', n));
    if (r.status === 'conflict' && r.current) {
      // A claim queued offline lost: the conversation shows who has it (the problem stays listed on the team).
      const conversationId = store.team.opConversation(r.id);
      if (conversationId === null) return;
      store.team.setAssignee(conversationId, r.current.assigneeId);
      emitIf(store.conversations.get(conversationId), (c) => events.emit('conversation.updated', c));
    }
  }

  private statusChanged(status: TeamStatus): void {
    this.d.log(`[team] ${status}`);
  }
}

const emitIf = <T>(value: T | null, emit: (v: T) => void) => value !== null && emit(value);

/** Whether a note @mentions the agent by name, as the note composer writes a mention ("@Name "). */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|\\s)@${escaped}(?=$|[\\s.,;:!?)])`, 'iu').test(text);
}

function staleClaimSentence(ownerName: string | null): string {
  return ownerName
    ? `${ownerName} took this conversation before you; it is assigned to ${ownerName} now.`
    : 'This conversation was unassigned meanwhile; nothing was changed.';
}

function signInRefusal(e: unknown, hubUrl: string): DomainError | ApiError {
  if (!(e instanceof HubError)) throw e;
  if (e.status === 401 || e.status === 400)
    return DomainError.unprocessable('bad_credentials', 'The hub did not take this email and password.');
  if (e.status === 429) throw new ApiError(429, 'too_many_attempts', e.message);
  return DomainError.unavailable('hub_unreachable', `No team hub answered at ${hubUrl}: ${e.message}`);
}
