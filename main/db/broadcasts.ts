// Broadcasts and their recipients: one row per conversation reached, sent natively or fanned out.
import type { Sqlite } from './database';
import type { Audience, Broadcast } from '../domain/entities';
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

const listParam = (xs: string[] | undefined) => (xs && xs.length ? JSON.stringify(xs) : null);

export class BroadcastsRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      audience: db.prepare<[Record<string, unknown>], { conversationId: number; channelId: string }>(
        `SELECT v.id AS conversationId, v.channel_id AS channelId ${AUDIENCE_FILTER}`,
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
      pending: db.prepare<
        [number],
        { id: number; channel_id: string; conversation_id: number; mode: 'native' | 'fanout' }
      >(
        `SELECT id, channel_id, conversation_id, mode FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'pending' AND outbox_id IS NULL`,
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

  pendingRecipients(id: number) {
    return this.s.pending.all(id);
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
