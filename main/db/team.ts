// Team mode's storage (migration 014): the hub this desktop is signed in to, the team's channels, agents,
// conversations, messages and notes as the hub's snapshot and feed describe them (keyed by the hub's ids), and
// the upload queue of the agent's team writes. Feed changes are applied with the cursor in one transaction.
import type { Sqlite } from './database';
import type { ContactsRepo } from './contacts';
import type { SearchIndex } from './searchIndex';
import { now, parseJson } from './json';
import type { Channel, ProviderId } from '../domain/entities';
import type { Agent, HubConversation, HubMessage, Note, OpResult, TeamAgent } from '../contract/hub';
import type { TeamNote, TeamProblem } from '../contract/team';

export interface TeamRow {
  hubUrl: string;
  agent: Agent;
  /** The session token, sealed by the SecretBox. */
  token: Buffer;
  /** The last feed seq applied; null until the snapshot ends. */
  cursor: number | null;
  /** Where the snapshot goes on (null: from its start, or done once cursor is set). */
  snapshotCursor: string | null;
}

/** A hub channel as the team's listing and feed show it (never credentials). */
export type HubChannel = Pick<Channel, 'id' | 'provider' | 'name' | 'status'> &
  Partial<Pick<Channel, 'baseUrl' | 'lastSyncAt' | 'error' | 'capabilities'>>;

export type TeamOpStatus = 'queued' | 'applied' | 'duplicate' | 'conflict' | 'rejected';

export interface QueuedOp {
  seq: number;
  id: string;
  kind: string;
  conversationId: number;
  /** The op as the hub takes it, its conversationId the hub's. */
  op: Record<string, unknown>;
}

/** What applying hub data changed locally, for the pushes to open windows. */
export interface TeamApplied {
  conversations: Set<number>;
  createdMessages: number[];
  updatedMessages: number[];
  /** Notes added or settled (their local ids). */
  notes: number[];
  channels: boolean;
  /** Conversations the feed assigned to this agent, which were not assigned to it here (someone else did). */
  assignedToMe: number[];
}

export const nothingApplied = (): TeamApplied => ({
  conversations: new Set(),
  createdMessages: [],
  updatedMessages: [],
  notes: [],
  channels: false,
  assignedToMe: [],
});

interface NoteRow {
  id: number;
  hub_id: string | null;
  op_id: string | null;
  conversation_id: number;
  author_id: string | null;
  author_name: string | null;
  text: string;
  created_at: string;
  op_status: string | null;
}

function toNote(r: NoteRow): TeamNote {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    authorId: r.author_id,
    authorName: r.author_name,
    text: r.text,
    createdAt: r.created_at,
    status: r.hub_id ? 'applied' : r.op_status === 'rejected' ? 'rejected' : 'queued',
  };
}

export class TeamRepo {
  private readonly s;

  constructor(
    private readonly db: Sqlite,
    private readonly contacts: ContactsRepo,
    private readonly searchIndex: SearchIndex,
  ) {
    this.s = {
      get: db.prepare<
        [],
        {
          hub_url: string;
          agent: string;
          token: Buffer;
          cursor: number | null;
          snapshot_cursor: string | null;
        }
      >('SELECT hub_url, agent, token, cursor, snapshot_cursor FROM team WHERE id = 1'),
      insert: db.prepare(
        `INSERT INTO team (id, hub_url, agent, token, cursor, snapshot_cursor, created_at)
         VALUES (1, @hubUrl, @agent, @token, NULL, NULL, @createdAt)`,
      ),
      setToken: db.prepare('UPDATE team SET token = ? WHERE id = 1'),
      conversationCount: db.prepare<[], number>('SELECT COUNT(*) FROM team_conversations').pluck(),
      assigneeByHubId: db
        .prepare<[string], string | null>(
          `SELECT c.assignee_id FROM team_conversations t JOIN conversations c ON c.id = t.conversation_id
           WHERE t.hub_id = ?`,
        )
        .pluck(),
      unreadAssignedTo: db
        .prepare<[string], number>(
          'SELECT coalesce(sum(unread_count), 0) FROM conversations WHERE assignee_id = ? AND unread_count > 0',
        )
        .pluck(),
      setSnapshotCursor: db.prepare('UPDATE team SET snapshot_cursor = ? WHERE id = 1'),
      setCursor: db.prepare('UPDATE team SET cursor = ?, snapshot_cursor = NULL WHERE id = 1'),
      deleteTeam: db.prepare('DELETE FROM team'),
      deleteOps: db.prepare('DELETE FROM team_ops'),
      deleteAgents: db.prepare('DELETE FROM team_agents'),
      deleteTeamChannels: db.prepare('DELETE FROM channels WHERE hub_view IS NOT NULL'),
      deleteTeamChannel: db.prepare('DELETE FROM channels WHERE id = ? AND hub_view IS NOT NULL'),
      channelIds: db.prepare<[], { id: string }>('SELECT id FROM channels WHERE hub_view IS NOT NULL'),
      channels: db.prepare<[], { hub_view: string; status: string }>(
        'SELECT hub_view, status FROM channels WHERE hub_view IS NOT NULL ORDER BY created_at, id',
      ),
      isTeamChannel: db
        .prepare<[string], number>(
          'SELECT EXISTS (SELECT 1 FROM channels WHERE id = ? AND hub_view IS NOT NULL)',
        )
        .pluck(),
      upsertChannel: db.prepare(
        `INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, status, error, created_at, hub_view)
         VALUES (@id, @provider, @name, @baseUrl, x'', '', @status, @error, @createdAt, @view)
         ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, name = excluded.name,
           base_url = excluded.base_url, status = excluded.status, error = excluded.error, hub_view = excluded.hub_view
         WHERE channels.hub_view IS NOT NULL`,
      ),
      placeholderChannel: db.prepare(
        `INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, status, created_at, hub_view)
         VALUES (@id, @provider, @provider, '', x'', '', 'live', @createdAt, '{}')
         ON CONFLICT (id) DO NOTHING`,
      ),
      upsertAgent: db.prepare(
        `INSERT INTO team_agents (id, email, name, role, active) VALUES (@id, @email, @name, @role, @active)
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role,
           active = excluded.active`,
      ),
      agents: db.prepare<[], Agent>(
        'SELECT id, email, name, role FROM team_agents WHERE active = 1 ORDER BY name, id',
      ),
      agentName: db.prepare<[string], string>('SELECT name FROM team_agents WHERE id = ?').pluck(),
      localConversation: db
        .prepare<[string], number>('SELECT conversation_id FROM team_conversations WHERE hub_id = ?')
        .pluck(),
      hubConversation: db
        .prepare<[number], string>('SELECT hub_id FROM team_conversations WHERE conversation_id = ?')
        .pluck(),
      mapConversation: db.prepare(
        'INSERT OR IGNORE INTO team_conversations (hub_id, conversation_id) VALUES (?, ?)',
      ),
      upsertConversation: db.prepare<Record<string, unknown>, { id: number }>(
        `INSERT INTO conversations (channel_id, external_id, contact_id, status, unread_count, last_activity_at,
           waiting_since, snoozed_until, tags, assignee_id)
         VALUES (@channelId, @externalId, @contactId, @status, @unread, @lastActivityAt, @waitingSince,
           @snoozedUntil, @tags, @assigneeId)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET contact_id = excluded.contact_id,
           status = excluded.status,
           -- The provider's count; the agent's own read (0 here) holds until the conversation moves on.
           unread_count = CASE WHEN excluded.last_activity_at > last_activity_at THEN excluded.unread_count
             ELSE min(unread_count, excluded.unread_count) END,
           last_activity_at = max(last_activity_at, excluded.last_activity_at),
           waiting_since = excluded.waiting_since, snoozed_until = excluded.snoozed_until, tags = excluded.tags,
           assignee_id = excluded.assignee_id
         RETURNING id`,
      ),
      lastMessage: db.prepare(
        `UPDATE conversations SET last_message_id = (SELECT id FROM messages WHERE conversation_id = @id
           ORDER BY created_at DESC, id DESC LIMIT 1) WHERE id = @id`,
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status, error, meta)
         VALUES (@conversationId, @channelId, @externalId, @direction, @text, @type, @createdAt, @status, @error, @meta)
         ON CONFLICT (conversation_id, external_id) DO NOTHING`,
      ),
      updateMessage: db.prepare(
        `UPDATE messages SET status = @status, error = @error, text = @text
         WHERE conversation_id = @conversationId AND external_id = @externalId
           AND (status IS NOT @status OR error IS NOT @error OR text IS NOT @text)
         RETURNING id`,
      ),
      // The agent's own reply, queued here, that the hub now lists: the oldest one with that text.
      ownReply: db.prepare<[number, string], { id: number }>(
        `SELECT m.id FROM messages m JOIN team_ops o ON o.message_id = m.id
         WHERE m.conversation_id = ? AND m.text = ? AND m.external_id IS NULL AND m.direction = 'out'
         ORDER BY m.id LIMIT 1`,
      ),
      adoptReply: db.prepare('UPDATE messages SET external_id = ?, status = ?, error = ? WHERE id = ?'),
      channelOf: db.prepare<[number], string>('SELECT channel_id FROM conversations WHERE id = ?').pluck(),
      insertNote: db.prepare(
        `INSERT INTO team_notes (hub_id, op_id, conversation_id, author_id, text, created_at)
         VALUES (@hubId, @opId, @conversationId, @authorId, @text, @createdAt)
         ON CONFLICT DO NOTHING RETURNING id`,
      ),
      ownNote: db.prepare<[number, string], { id: number }>(
        `SELECT id FROM team_notes WHERE conversation_id = ? AND text = ? AND hub_id IS NULL AND op_id IS NOT NULL
         ORDER BY id LIMIT 1`,
      ),
      noteOfOp: db.prepare<[string], number>('SELECT id FROM team_notes WHERE op_id = ?').pluck(),
      adoptNote: db.prepare('UPDATE team_notes SET hub_id = ?, created_at = ? WHERE id = ?'),
      notes: db.prepare<[number], NoteRow>(
        `SELECT n.*, a.name AS author_name, o.status AS op_status FROM team_notes n
         LEFT JOIN team_agents a ON a.id = n.author_id LEFT JOIN team_ops o ON o.id = n.op_id
         WHERE n.conversation_id = ? ORDER BY n.created_at, n.id`,
      ),
      note: db.prepare<[number], NoteRow>(
        `SELECT n.*, a.name AS author_name, o.status AS op_status FROM team_notes n
         LEFT JOIN team_agents a ON a.id = n.author_id LEFT JOIN team_ops o ON o.id = n.op_id WHERE n.id = ?`,
      ),
      setAssignee: db.prepare('UPDATE conversations SET assignee_id = ? WHERE id = ?'),
      queueOp: db.prepare(
        `INSERT INTO team_ops (id, kind, conversation_id, message_id, body, status, created_at)
         VALUES (@id, @kind, @conversationId, @messageId, @body, 'queued', @createdAt)`,
      ),
      queued: db.prepare<
        [number],
        {
          seq: number;
          id: string;
          kind: string;
          conversation_id: number;
          body: string;
          hub_id: string | null;
        }
      >(
        `SELECT o.seq, o.id, o.kind, o.conversation_id, o.body, t.hub_id FROM team_ops o
         LEFT JOIN team_conversations t ON t.conversation_id = o.conversation_id
         WHERE o.status = 'queued' ORDER BY o.seq LIMIT ?`,
      ),
      queuedCount: db.prepare<[], number>("SELECT count(*) FROM team_ops WHERE status = 'queued'").pluck(),
      settle: db.prepare(
        "UPDATE team_ops SET status = @status, result = @result, settled_at = @at WHERE id = @id AND status = 'queued'",
      ),
      op: db.prepare<[string], { status: TeamOpStatus; result: string | null; message_id: number | null }>(
        'SELECT status, result, message_id FROM team_ops WHERE id = ?',
      ),
      opConversation: db
        .prepare<[string], number>('SELECT conversation_id FROM team_ops WHERE id = ?')
        .pluck(),
      problems: db.prepare<
        [],
        {
          id: string;
          kind: string;
          conversation_id: number;
          status: 'conflict' | 'rejected';
          result: string;
          settled_at: string;
        }
      >(
        `SELECT id, kind, conversation_id, status, result, settled_at FROM team_ops
         WHERE status IN ('conflict', 'rejected') ORDER BY seq DESC LIMIT 50`,
      ),
      failMessage: db.prepare("UPDATE messages SET status = 'failed', error = ? WHERE id = ?"),
      acceptMessage: db.prepare(
        "UPDATE messages SET status = 'sending' WHERE id = ? AND external_id IS NULL AND status = 'queued'",
      ),
    };
  }

  get(): TeamRow | null {
    const r = this.s.get.get();
    if (!r) return null;
    return {
      hubUrl: r.hub_url,
      agent: JSON.parse(r.agent) as Agent,
      token: r.token,
      cursor: r.cursor,
      snapshotCursor: r.snapshot_cursor,
    };
  }

  /** Signs this desktop in to a hub: a fresh cursor (the snapshot comes first). */
  signIn(hubUrl: string, agent: Agent, sealedToken: Buffer): void {
    this.db
      .transaction(() => {
        this.s.deleteTeam.run();
        this.s.insert.run({ hubUrl, agent: JSON.stringify(agent), token: sealedToken, createdAt: now() });
        this.s.upsertAgent.run({ ...agent, active: 1 });
      })
      .immediate();
  }

  /** Back to solo mode; the team's cached data goes too unless kept (then it stays, followed by nothing). */
  signOut(keepCache: boolean): void {
    this.db
      .transaction(() => {
        this.s.deleteTeam.run();
        this.s.deleteOps.run();
        this.s.deleteAgents.run();
        if (!keepCache) this.s.deleteTeamChannels.run();
      })
      .immediate();
  }

  resealToken(sealed: Buffer): void {
    this.s.setToken.run(sealed);
  }

  isTeamChannel(channelId: string): boolean {
    return this.s.isTeamChannel.get(channelId) === 1;
  }

  teamChannelIds(): string[] {
    return this.s.channelIds.all().map((r) => r.id);
  }

  /** The team's channels as the hub last described them. */
  channels(): HubChannel[] {
    return this.s.channels
      .all()
      .map((r) => parseJson<HubChannel>(r.hub_view, {} as HubChannel))
      .filter((c) => c.id);
  }

  agents(): Agent[] {
    return this.s.agents.all();
  }

  agentName(id: string): string | null {
    return this.s.agentName.get(id) ?? null;
  }

  /** The hub's id of a local conversation of the team; null for one of the desktop's own channels. */
  hubConversationId(conversationId: number): string | null {
    return this.s.hubConversation.get(conversationId) ?? null;
  }

  /**
   * Stores the hub's channels and agents as its listings show them (the feed tells only what changes later):
   * each channel mirrored as a channel row that nothing here syncs.
   */
  applyDirectory(channels: HubChannel[], agents: TeamAgent[]): void {
    this.db
      .transaction(() => {
        for (const c of channels) this.upsertChannel(c);
        for (const a of agents) this.s.upsertAgent.run(agentRow(a));
      })
      .immediate();
  }

  /** One snapshot page, and where the snapshot goes on, in one transaction. */
  applySnapshotPage(
    page: { conversations: HubConversation[]; messages: HubMessage[] },
    next: string,
    me: string,
  ) {
    return this.db
      .transaction(() => {
        const applied = nothingApplied();
        for (const c of page.conversations) this.applyConversation(c, applied, null);
        for (const m of page.messages) this.applyMessage(m, me, applied);
        this.finish(applied);
        this.s.setSnapshotCursor.run(next);
        return applied;
      })
      .immediate();
  }

  /**
   * Feed changes in seq order and the cursor they reach, in one transaction: applied twice, they leave the same
   * rows (each change carries its thing whole), so a crash between the commit and the next read loses nothing.
   * Conversations go before the messages and notes of the same page, which may name them.
   */
  applyChanges(
    changes: { seq: number; kind: string; data: unknown }[],
    cursor: number,
    me: string,
  ): TeamApplied {
    return this.db
      .transaction(() => {
        const applied = nothingApplied();
        for (const ch of changes) {
          if (ch.kind === 'channel') {
            this.applyChannel(ch.data as HubChannel | { id: string; deleted: true });
            applied.channels = true;
          } else if (ch.kind === 'agent') this.s.upsertAgent.run(agentRow(ch.data as TeamAgent));
          else if (ch.kind === 'conversation')
            this.applyConversation(ch.data as HubConversation, applied, me);
        }
        for (const ch of changes) {
          if (ch.kind === 'message') this.applyMessage(ch.data as HubMessage, me, applied);
          else if (ch.kind === 'note') this.applyNote(ch.data as Note, me, applied);
        }
        this.finish(applied);
        this.s.setCursor.run(cursor);
        return applied;
      })
      .immediate();
  }

  /** The team's conversations stored here (from the snapshot, then the feed). */
  conversationCount(): number {
    return this.s.conversationCount.get()!;
  }

  /** Unread customer messages in the conversations assigned to this agent ("Mine unread"). */
  unreadAssignedTo(agentId: string): number {
    return this.s.unreadAssignedTo.get(agentId)!;
  }

  /** The snapshot reached the feed's head: follow the feed from there. */
  setCursor(cursor: number): void {
    this.s.setCursor.run(cursor);
  }

  /**
   * A channel as the hub's feed or an admin's request tells it: changed, or removed with everything synced from
   * it (ON DELETE CASCADE).
   */
  applyChannel(c: HubChannel | { id: string; deleted: true }): void {
    if ('deleted' in c) this.s.deleteTeamChannel.run(c.id);
    else this.upsertChannel(c);
  }

  /** An agent as the hub answered an admin's change (the feed tells the same a moment later). */
  applyAgent(a: TeamAgent): void {
    this.s.upsertAgent.run(agentRow(a));
  }

  private upsertChannel(c: HubChannel): void {
    this.s.upsertChannel.run({
      id: c.id,
      provider: c.provider,
      name: c.name,
      baseUrl: c.baseUrl ?? '',
      status: c.status ?? 'live',
      error: c.error ?? null,
      createdAt: now(),
      view: JSON.stringify(c),
    });
  }

  /** `me`: the agent to tell of an assignment to it (null: the snapshot, which tells nobody). */
  private applyConversation(c: HubConversation, applied: TeamApplied, me: string | null): void {
    const assignedToMe =
      me !== null && c.assigneeId === me && (this.s.assigneeByHubId.get(c.id) ?? null) !== me;
    // A conversation of a channel the desktop has not heard of yet: its row comes with the channel's change.
    this.s.placeholderChannel.run({ id: c.channelId, provider: c.provider as ProviderId, createdAt: now() });
    const contactId = this.contacts.upsert(c.channelId, {
      externalId: c.contact.id,
      name: c.contact.name,
      handle: c.contact.handle,
      tags: c.contact.tags,
      ...(c.contact.platform ? { platform: c.contact.platform } : {}),
      ...(c.contact.email ? { email: c.contact.email } : {}),
    });
    const { id } = this.s.upsertConversation.get({
      channelId: c.channelId,
      externalId: c.id,
      contactId,
      status: c.status,
      unread: c.unreadCount,
      lastActivityAt: c.lastActivityAt,
      waitingSince: c.waitingSince,
      snoozedUntil: c.snoozedUntil,
      tags: JSON.stringify(c.tags),
      assigneeId: c.assigneeId,
    })!;
    this.s.mapConversation.run(c.id, id);
    applied.conversations.add(id);
    if (assignedToMe) applied.assignedToMe.push(id);
  }

  private applyMessage(m: HubMessage, me: string, applied: TeamApplied): void {
    const conversationId = this.s.localConversation.get(m.conversationId);
    if (conversationId === undefined) return; // its conversation's change comes with it; nothing to hang it on
    const row = {
      conversationId,
      externalId: m.id,
      status: m.direction === 'in' ? 'received' : m.status,
      error: m.error ?? null,
      text: m.text,
    };
    const changed = this.s.updateMessage.get(row) as { id: number } | undefined;
    if (changed)
      return void (applied.updatedMessages.push(changed.id), applied.conversations.add(conversationId));
    const own =
      m.authorId === me && m.direction === 'out' ? this.s.ownReply.get(conversationId, m.text) : undefined;
    if (own) {
      this.s.adoptReply.run(m.id, row.status, row.error, own.id);
      applied.updatedMessages.push(own.id);
      applied.conversations.add(conversationId);
      return;
    }
    const ins = this.s.insertMessage.run({
      ...row,
      channelId: this.s.channelOf.get(conversationId)!,
      direction: m.direction,
      type: m.type,
      createdAt: m.createdAt,
      meta: JSON.stringify({ ...(m.meta ?? {}), ...(m.authorId ? { authorId: m.authorId } : {}) }),
    });
    if (ins.changes === 0) return;
    const id = Number(ins.lastInsertRowid);
    this.searchIndex.deferMessage(id);
    applied.createdMessages.push(id);
    applied.conversations.add(conversationId);
  }

  private applyNote(n: Note, me: string, applied: TeamApplied): void {
    const conversationId = this.s.localConversation.get(n.conversationId);
    if (conversationId === undefined) return;
    const own = n.authorId === me ? this.s.ownNote.get(conversationId, n.text) : undefined;
    if (own) {
      this.s.adoptNote.run(n.id, n.createdAt, own.id);
      return void applied.notes.push(own.id);
    }
    const added = this.s.insertNote.get({
      hubId: n.id,
      opId: null,
      conversationId,
      authorId: n.authorId,
      text: n.text,
      createdAt: n.createdAt,
    }) as { id: number } | undefined;
    if (added) applied.notes.push(added.id);
  }

  private finish(applied: TeamApplied): void {
    for (const id of applied.conversations) this.s.lastMessage.run({ id });
  }

  note(id: number): TeamNote | null {
    const r = this.s.note.get(id);
    return r ? toNote(r) : null;
  }

  /** The note an op added (null: the op is not a note's). */
  noteOfOp(opId: string): number | null {
    return this.s.noteOfOp.get(opId) ?? null;
  }

  /** The local conversation of a hub conversation id, if this desktop has it. */
  localConversationId(hubId: string): number | null {
    return this.s.localConversation.get(hubId) ?? null;
  }

  notes(conversationId: number): TeamNote[] {
    return this.s.notes.all(conversationId).map(toNote);
  }

  /** Stores the agent's note and its op in one transaction (the note shows at once, as queued). */
  queueNote(conversationId: number, op: { id: string; text: string }, authorId: string): TeamNote {
    return this.db
      .transaction(() => {
        const createdAt = now();
        const { id } = this.s.insertNote.get({
          hubId: null,
          opId: op.id,
          conversationId,
          authorId,
          text: op.text,
          createdAt,
        }) as { id: number };
        this.queueOp({ id: op.id, kind: 'note', conversationId, body: { text: op.text } });
        return toNote(this.s.note.get(id)!);
      })
      .immediate();
  }

  /** Appends an op to the upload queue (inside the caller's transaction, when it holds one). */
  queueOp(o: {
    id: string;
    kind: string;
    conversationId: number;
    messageId?: number;
    body: Record<string, unknown>;
  }): void {
    this.s.queueOp.run({
      id: o.id,
      kind: o.kind,
      conversationId: o.conversationId,
      messageId: o.messageId ?? null,
      body: JSON.stringify(o.body),
      createdAt: now(),
    });
  }

  setAssignee(conversationId: number, assigneeId: string | null): void {
    this.s.setAssignee.run(assigneeId, conversationId);
  }

  /** The oldest queued ops, as the hub takes them. */
  queuedOps(limit: number): QueuedOp[] {
    return this.s.queued.all(limit).map((r) => ({
      seq: r.seq,
      id: r.id,
      kind: r.kind,
      conversationId: r.conversation_id,
      op: {
        ...parseJson<Record<string, unknown>>(r.body, {}),
        id: r.id,
        kind: r.kind,
        conversationId: r.hub_id ?? '',
      },
    }));
  }

  queuedCount(): number {
    return this.s.queuedCount.get()!;
  }

  /** The hub's answer to an op, kept on it; a reply it refused shows failed, with why. Returns its message. */
  settleOp(r: OpResult): number | null {
    const status: TeamOpStatus = r.status;
    return this.db
      .transaction(() => {
        this.s.settle.run({ id: r.id, status, result: JSON.stringify(r), at: now() });
        const messageId = this.s.op.get(r.id)?.message_id ?? null;
        if (messageId !== null) {
          if (status === 'rejected')
            this.s.failMessage.run(r.reason ?? 'The hub refused this reply', messageId);
          else if (status === 'applied' || status === 'duplicate') this.s.acceptMessage.run(messageId);
        }
        return messageId;
      })
      .immediate();
  }

  opResult(id: string): { status: TeamOpStatus; result: OpResult | null } | null {
    const r = this.s.op.get(id);
    return r ? { status: r.status, result: parseJson<OpResult | null>(r.result, null) } : null;
  }

  /** The message a reply op carries (null: none, or not a reply). */
  opMessage(id: string): number | null {
    return this.s.op.get(id)?.message_id ?? null;
  }

  opConversation(id: string): number | null {
    return this.s.opConversation.get(id) ?? null;
  }

  problems(): TeamProblem[] {
    return this.s.problems.all().map((r) => {
      const result = parseJson<OpResult | null>(r.result, null);
      const reason =
        r.status === 'conflict'
          ? `${result?.current?.assigneeName ?? 'Someone else'} has this conversation`
          : (result?.reason ?? 'refused by the hub');
      return {
        opId: r.id,
        kind: r.kind,
        conversationId: String(r.conversation_id),
        status: r.status,
        reason,
        at: r.settled_at,
      };
    });
  }
}

function agentRow(a: TeamAgent) {
  return { id: a.id, email: a.email, name: a.name, role: a.role, active: a.active === false ? 0 : 1 };
}
