// Broadcasts and their recipients: one row per conversation reached, sent natively or fanned out.
import type { Sqlite } from './database';
import type { Audience, Broadcast, BroadcastRecipient, PageOf } from '../domain/entities';
import { decodeCursor, encodeCursor } from './cursors';
import { now, parseJson } from './json';

export type BroadcastState = Broadcast['status'];

interface BroadcastRow {
  id: number;
  name: string;
  text: string;
  audience: string;
  status: BroadcastState;
  schedule_at: string | null;
  timezone: string | null;
  external_id: string | null;
  error: string | null;
  created_at: string;
  total: number;
  sent: number;
  failed: number;
}

export interface AudienceMatch {
  conversationId: number;
  channelId: string;
}

/** A conversation of an audience and the contact it reaches, as a template needs them. */
export interface AudienceMember extends AudienceMatch {
  contactName: string;
  handle: string;
  externalId: string;
}

/** A pending recipient, ready to be turned into an outbox item. */
export interface PendingRecipient {
  id: number;
  channel_id: string;
  conversation_id: number;
  mode: 'native' | 'fanout';
  contact_name: string;
  handle: string;
  contact_external_id: string;
}

interface RecipientRow {
  id: number;
  contact_id: number;
  contact_name: string;
  conversation_id: number;
  status: 'pending' | BroadcastRecipient['status'];
  error: string | null;
}

const AUDIENCE_FILTER = `
  FROM conversations v JOIN contacts c ON c.id = v.contact_id
  WHERE (@channels IS NULL OR v.channel_id IN (SELECT value FROM json_each(@channels)))
    AND (@tags IS NULL OR EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.value IN (SELECT value FROM json_each(@tags)))
                       OR EXISTS (SELECT 1 FROM json_each(v.tags) t WHERE t.value IN (SELECT value FROM json_each(@tags))))
    AND (@platforms IS NULL OR c.platform IN (SELECT value FROM json_each(@platforms)))`;

const SELECT_BROADCAST = `
  SELECT b.*,
    (SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = b.id) AS total,
    (SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.status = 'sent') AS sent,
    (SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = b.id AND r.status = 'failed') AS failed
  FROM broadcasts b`;

function toBroadcast(r: BroadcastRow): Broadcast {
  return {
    id: String(r.id),
    name: r.name,
    text: r.text,
    audience: parseJson<Audience>(r.audience, {}),
    status: r.status,
    scheduleAt: r.schedule_at,
    total: r.total,
    sent: r.sent,
    failed: r.failed,
    createdAt: r.created_at,
    ...(r.error ? { error: r.error } : {}),
  };
}

function toRecipient(r: RecipientRow): BroadcastRecipient {
  return {
    contactId: String(r.contact_id),
    contactName: r.contact_name,
    conversationId: String(r.conversation_id),
    status: r.status === 'pending' ? 'queued' : r.status,
    ...(r.error ? { error: r.error } : {}),
  };
}

const RECIPIENTS_CURSOR_KEY = 'recipient';

const listParam = (xs: string[] | undefined) => (xs && xs.length ? JSON.stringify(xs) : null);

export class BroadcastsRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      // In conversation order, so the first members previewed are the first recipients frozen.
      audience: db.prepare<[Record<string, unknown>], AudienceMatch>(
        `SELECT v.id AS conversationId, v.channel_id AS channelId ${AUDIENCE_FILTER} ORDER BY v.id`,
      ),
      members: db.prepare<[Record<string, unknown>], AudienceMember>(
        `SELECT v.id AS conversationId, v.channel_id AS channelId, c.name AS contactName, c.handle,
           c.external_id AS externalId ${AUDIENCE_FILTER} ORDER BY v.id LIMIT @limit`,
      ),
      insert: db.prepare(
        `INSERT INTO broadcasts (name, text, audience, status, schedule_at, timezone, created_at)
         VALUES (@name, @text, @audience, @status, @scheduleAt, @timezone, @createdAt)`,
      ),
      addRecipient: db.prepare(
        `INSERT INTO broadcast_recipients (broadcast_id, channel_id, conversation_id, mode, status) VALUES (?, ?, ?, ?, 'pending')`,
      ),
      get: db.prepare<[number], BroadcastRow>(`${SELECT_BROADCAST} WHERE b.id = ?`),
      list: db.prepare<[], BroadcastRow>(`${SELECT_BROADCAST} ORDER BY b.id DESC LIMIT 200`),
      setStatus: db.prepare('UPDATE broadcasts SET status = ?, error = ? WHERE id = ?'),
      setExternal: db.prepare('UPDATE broadcasts SET external_id = ? WHERE id = ?'),
      due: db.prepare<[string], { id: number }>(
        `SELECT id FROM broadcasts WHERE status = 'scheduled' AND schedule_at <= ?`,
      ),
      pending: db.prepare<[number], PendingRecipient>(
        `SELECT r.id, r.channel_id, r.conversation_id, r.mode, c.name AS contact_name, c.handle,
           c.external_id AS contact_external_id
         FROM broadcast_recipients r
         JOIN conversations v ON v.id = r.conversation_id JOIN contacts c ON c.id = v.contact_id
         WHERE r.broadcast_id = ? AND r.status = 'pending' AND r.outbox_id IS NULL ORDER BY r.id`,
      ),
      recipients: db.prepare<
        [{ id: number; after: number; status: string | null; limit: number }],
        RecipientRow
      >(
        `SELECT r.id, c.id AS contact_id, c.name AS contact_name, r.conversation_id, r.status, r.error
         FROM broadcast_recipients r
         JOIN conversations v ON v.id = r.conversation_id JOIN contacts c ON c.id = v.contact_id
         WHERE r.broadcast_id = @id AND r.id > @after AND (@status IS NULL OR r.status = @status)
         ORDER BY r.id LIMIT @limit`,
      ),
      linkOutbox: db.prepare('UPDATE broadcast_recipients SET outbox_id = ? WHERE id = ?'),
      recipientsDone: db.prepare(
        `UPDATE broadcast_recipients SET status = ?, error = ? WHERE outbox_id = ? AND status = 'pending'`,
      ),
      cancelPending: db.prepare(
        `UPDATE broadcast_recipients SET status = 'cancelled' WHERE broadcast_id = ? AND status = 'pending'`,
      ),
      broadcastOfOutbox: db.prepare<[number], { broadcast_id: number }>(
        'SELECT broadcast_id FROM broadcast_recipients WHERE outbox_id = ? LIMIT 1',
      ),
      openCount: db.prepare<[number], { n: number }>(
        `SELECT count(*) AS n FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'pending'`,
      ),
      outboxIds: db.prepare<[number], { outbox_id: number }>(
        `SELECT DISTINCT outbox_id FROM broadcast_recipients WHERE broadcast_id = ? AND outbox_id IS NOT NULL`,
      ),
    };
  }

  matchAudience(a: Audience): AudienceMatch[] {
    return this.s.audience.all({
      channels: listParam(a.channelIds),
      tags: listParam(a.tags),
      platforms: listParam(a.platforms),
    });
  }

  /** The first `limit` members of an audience, in the order a broadcast to it would freeze them. */
  audienceMembers(a: Audience, limit: number): AudienceMember[] {
    return this.s.members.all({
      channels: listParam(a.channelIds),
      tags: listParam(a.tags),
      platforms: listParam(a.platforms),
      limit,
    });
  }

  create(
    b: { name: string; text: string; audience: Audience; scheduleAt: string | null; timezone: string | null },
    recipients: (AudienceMatch & { mode: 'native' | 'fanout' })[],
  ): Broadcast {
    return this.db
      .transaction(() => {
        const id = Number(
          this.s.insert.run({
            name: b.name,
            text: b.text,
            audience: JSON.stringify(b.audience),
            status: b.scheduleAt ? 'scheduled' : 'queued',
            scheduleAt: b.scheduleAt,
            timezone: b.timezone,
            createdAt: now(),
          }).lastInsertRowid,
        );
        for (const r of recipients) this.s.addRecipient.run(id, r.channelId, r.conversationId, r.mode);
        return this.get(id)!;
      })
      .immediate();
  }

  get(id: number): Broadcast | null {
    const r = this.s.get.get(id);
    return r ? toBroadcast(r) : null;
  }

  list(): Broadcast[] {
    return this.s.list.all().map(toBroadcast);
  }

  setStatus(id: number, status: BroadcastState, error: string | null = null): void {
    this.s.setStatus.run(status, error, id);
  }

  setExternalId(id: number, externalId: string): void {
    this.s.setExternal.run(externalId, id);
  }

  dueScheduled(): number[] {
    return this.s.due.all(now()).map((r) => r.id);
  }

  pendingRecipients(id: number): PendingRecipient[] {
    return this.s.pending.all(id);
  }

  /** A broadcast's frozen recipients, in the order they were frozen, a page at a time; null for a cursor not ours. */
  recipients(
    id: number,
    q: { status?: BroadcastRecipient['status']; limit: number; cursor?: string },
  ): PageOf<BroadcastRecipient> | null {
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
    if (q.cursor !== undefined && after?.key !== RECIPIENTS_CURSOR_KEY) return null;
    const rows = this.s.recipients.all({
      id,
      after: after?.id ?? 0,
      status: q.status === 'queued' ? 'pending' : (q.status ?? null),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toRecipient),
      nextCursor: rows.length > q.limit && last ? encodeCursor(RECIPIENTS_CURSOR_KEY, last.id) : null,
    };
  }

  linkOutbox(recipientIds: number[], outboxId: number): void {
    for (const r of recipientIds) this.s.linkOutbox.run(outboxId, r);
  }

  /** Mark the recipients an outbox item carried; returns the broadcast id and whether it has nothing left. */
  recipientsDone(
    outboxId: number,
    status: 'sent' | 'failed' | 'cancelled',
    error: string | null,
  ): { broadcastId: number; finished: boolean } | null {
    this.s.recipientsDone.run(status, error, outboxId);
    const b = this.s.broadcastOfOutbox.get(outboxId);
    if (!b) return null;
    return { broadcastId: b.broadcast_id, finished: this.s.openCount.get(b.broadcast_id)!.n === 0 };
  }

  cancelPending(id: number): number[] {
    const ids = this.s.outboxIds.all(id).map((r) => r.outbox_id);
    this.s.cancelPending.run(id);
    return ids;
  }
}
