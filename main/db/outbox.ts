// The outbox: work the agent asked for that must reach a provider exactly once, in order per conversation.
import crypto from 'node:crypto';
import type { Sqlite } from './database';
import type { OutboxItem } from '../domain/entities';
import type { OutboxKind, OutboxRow, OutboxState } from '../domain/storage';
import { now } from './json';

/**
 * A failed reply holds every later item of its conversation until the agent retries, edits or discards it:
 * the customer must not read reply #3 without #2. This is the oldest such reply before row `o`, for a queued row.
 */
const HELD_BY = `CASE WHEN o.status = 'queued' AND o.conversation_id IS NOT NULL THEN (
  SELECT min(f.id) FROM outbox f
  WHERE f.conversation_id = o.conversation_id AND f.id < o.id AND f.status = 'failed' AND f.kind = 'reply'
) END`;
const ROW = `o.*, ${HELD_BY} AS held_by`;

/** What an item does, in words, for the outbox list. */
function describe(payload: string): string {
  try {
    const p = JSON.parse(payload) as { text?: unknown; active?: unknown; name?: unknown; status?: unknown };
    if (typeof p.text === 'string') return p.text;
    if (typeof p.active === 'boolean') return `switch ${String(p.name ?? 'flow')} ${p.active ? 'on' : 'off'}`;
    if (p.status === 'resolved') return 'resolve the conversation';
    if (p.status === 'open') return 'reopen the conversation';
  } catch {
    /* a bad payload shows as empty text */
  }
  return '';
}

export function toOutboxItem(r: OutboxRow): OutboxItem {
  const text = describe(r.payload);
  return {
    id: String(r.id),
    kind: r.kind,
    channelId: r.channel_id,
    conversationId: r.conversation_id === null ? null : String(r.conversation_id),
    messageId: r.message_id === null ? null : String(r.message_id),
    text,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.error ? { error: r.error } : {}),
    ...(r.held_by !== null ? { heldBy: String(r.held_by) } : {}),
    createdAt: r.created_at,
  };
}

export class OutboxRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO outbox (kind, channel_id, conversation_id, message_id, payload, idempotency_key, status, created_at)
         VALUES (@kind, @channelId, @conversationId, @messageId, @payload, @key, 'queued', @createdAt)`,
      ),
      get: db.prepare<[number], OutboxRow>(`SELECT ${ROW} FROM outbox o WHERE o.id = ?`),
      byKey: db.prepare<[string], OutboxRow>(`SELECT ${ROW} FROM outbox o WHERE o.idempotency_key = ?`),
      // Two shapes rather than one `(@status IS NULL AND …) OR status = @status`, which SQLite can only answer
      // by reading the whole outbox, sent items included (the dispatcher asks for 'sending' on every round).
      listOpen: db.prepare<[], OutboxRow>(
        `SELECT ${ROW} FROM outbox o WHERE o.status IN ('queued', 'sending', 'failed') ORDER BY o.id LIMIT 1000`,
      ),
      listStatus: db.prepare<[string], OutboxRow>(
        `SELECT ${ROW} FROM outbox o WHERE o.status = ? ORDER BY o.id LIMIT 1000`,
      ),
      // The head of each conversation's queue (or each item on its own when it has no conversation), when due
      // and not held by a failed reply before it. Items of paused channels are not due: they wait; nor those of
      // an offline channel, until its sync finds the provider back (the dispatcher then lets them go). Reading from
      // the unpaused channels into the pending index (CROSS JOIN fixes that order) keeps each dispatcher round
      // (one per new reply) from reading every queued item, or the whole outbox history, while the agent works
      // with channels paused.
      due: db.prepare<[string, number], OutboxRow>(
        `SELECT ${ROW} FROM channels c CROSS JOIN outbox o
         WHERE c.paused = 0 AND c.status <> 'offline' AND o.channel_id = c.id AND o.status IN ('queued', 'sending')
           AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
           AND NOT EXISTS (
             SELECT 1 FROM outbox p WHERE p.conversation_id = o.conversation_id AND p.id < o.id AND p.status IN ('queued', 'sending'))
           AND NOT EXISTS (
             SELECT 1 FROM outbox f WHERE f.conversation_id = o.conversation_id AND f.id < o.id AND f.status = 'failed' AND f.kind = 'reply')
         ORDER BY o.id LIMIT ?`,
      ),
      laterInConversation: db.prepare<[number, number], OutboxRow>(
        `SELECT ${ROW} FROM outbox o
         WHERE o.conversation_id = ? AND o.id > ? AND o.status IN ('queued', 'sending') ORDER BY o.id`,
      ),
      anySending: db.prepare<[], { n: number }>(
        `SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'sending') AS n`,
      ),
      sending: db.prepare(
        `UPDATE outbox SET status = 'sending', attempts = attempts + 1, sending_since = ?, error = NULL WHERE id = ?`,
      ),
      sent: db.prepare(
        `UPDATE outbox SET status = 'sent', error = NULL, next_attempt_at = NULL WHERE id = ?`,
      ),
      retryLater: db.prepare(
        `UPDATE outbox SET status = 'queued', error = ?, next_attempt_at = ? WHERE id = ?`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET status = 'failed', error = ?, next_attempt_at = NULL WHERE id = ?`,
      ),
      // The agent's decision: an item whose send was left unconfirmed goes again, as a new send.
      requeue: db.prepare(
        `UPDATE outbox SET status = 'queued', error = NULL, next_attempt_at = NULL, attempts = 0,
           unconfirmed_since = NULL, unconfirmed_checks = 0
         WHERE id = ? AND status = 'failed'`,
      ),
      unconfirmed: db.prepare(
        `UPDATE outbox SET status = 'queued', error = ?, next_attempt_at = ?, unconfirmed_since = ?, unconfirmed_checks = 0
         WHERE id = ?`,
      ),
      checkedUnconfirmed: db.prepare(
        `UPDATE outbox SET error = ?, next_attempt_at = ?, unconfirmed_checks = unconfirmed_checks + 1 WHERE id = ?`,
      ),
      // Items of an offline channel: why they wait. Those left unconfirmed keep saying that instead.
      noteOutage: db.prepare<[{ channelId: string; reason: string }], OutboxRow>(
        `UPDATE outbox SET error = @reason
         WHERE channel_id = @channelId AND status = 'queued' AND unconfirmed_since IS NULL AND error IS NOT @reason
         RETURNING *`,
      ),
      // The channel is back: what waited for it goes now, in order, rather than at its last backoff's end.
      releaseOutage: db.prepare<[string], OutboxRow>(
        `UPDATE outbox SET error = NULL, next_attempt_at = NULL
         WHERE channel_id = ? AND status = 'queued' AND unconfirmed_since IS NULL
         RETURNING *`,
      ),
      // A newer status for a conversation makes one still waiting to go pointless.
      supersedeStatus: db.prepare(
        `UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL
         WHERE conversation_id = ? AND kind = 'status' AND status = 'queued'`,
      ),
      setPayload: db.prepare(`UPDATE outbox SET payload = ? WHERE id = ? AND status IN ('queued', 'failed')`),
      cancel: db.prepare(
        `UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL WHERE id = ? AND status IN ('queued', 'failed')`,
      ),
      queuedByChannel: db.prepare<[], { channel_id: string; n: number }>(
        `SELECT channel_id, count(*) AS n FROM outbox WHERE status IN ('queued', 'sending') GROUP BY channel_id`,
      ),
      // Items that are not due (paused or offline channels) must not wake the dispatcher.
      nextWake: db.prepare<[], { at: string | null }>(
        `SELECT min(o.next_attempt_at) AS at FROM outbox o JOIN channels c ON c.id = o.channel_id
         WHERE o.status = 'queued' AND o.next_attempt_at IS NOT NULL AND c.paused = 0 AND c.status <> 'offline'`,
      ),
    };
  }

  insert(i: {
    kind: OutboxKind;
    channelId: string;
    conversationId: number | null;
    messageId: number | null;
    payload: unknown;
    key: string;
  }): OutboxRow {
    const r = this.s.insert.run({ ...i, payload: JSON.stringify(i.payload), createdAt: now() });
    return this.get(Number(r.lastInsertRowid))!;
  }

  get(id: number): OutboxRow | undefined {
    return this.s.get.get(id);
  }

  byKey(key: string): OutboxRow | undefined {
    return this.s.byKey.get(key);
  }

  list(status: OutboxState | null): OutboxRow[] {
    return status === null ? this.s.listOpen.all() : this.s.listStatus.all(status);
  }

  due(limit = 100): OutboxRow[] {
    return this.s.due.all(now(), limit);
  }

  /** Written (and committed) before the request leaves, so a crash mid-send is known at restart. */
  markSending(id: number): void {
    this.s.sending.run(now(), id);
  }

  markSent(id: number): void {
    this.s.sent.run(id);
  }

  retryLater(id: number, error: string, at: Date): void {
    this.s.retryLater.run(error, at.toISOString(), id);
  }

  markFailed(id: number, error: string): void {
    this.s.failed.run(error, id);
  }

  requeue(id: number): boolean {
    return this.s.requeue.run(id).changes > 0;
  }

  /** The send left and its outcome is unknown: from now on the provider is asked (findSent), never sent to again. */
  markUnconfirmed(id: number, error: string, firstCheckAt: Date): void {
    this.s.unconfirmed.run(error, firstCheckAt.toISOString(), now(), id);
  }

  /** The provider was asked about an unconfirmed send and did not show it; ask again at `nextAt`. */
  checkedUnconfirmed(id: number, error: string, nextAt: Date): void {
    this.s.checkedUnconfirmed.run(error, nextAt.toISOString(), id);
  }

  /** Says on the queued items of an offline channel why they wait; answers those it changed. */
  noteOutage(channelId: string, reason: string): OutboxRow[] {
    return this.s.noteOutage.all({ channelId, reason });
  }

  /** The channel is back: its queued items are due now. Answers them. */
  releaseOutage(channelId: string): OutboxRow[] {
    return this.s.releaseOutage.all(channelId);
  }

  /**
   * Queues a conversation's new status for its provider, cancelling one still waiting to go (the newer one
   * replaces it); one transaction (a savepoint inside the caller's).
   */
  queueStatus(channelId: string, conversationId: number, status: 'open' | 'resolved'): OutboxRow {
    return this.db.transaction(() => {
      this.s.supersedeStatus.run(conversationId);
      return this.insert({
        kind: 'status',
        channelId,
        conversationId,
        messageId: null,
        payload: { status },
        key: crypto.randomUUID(),
      });
    })();
  }

  setPayload(id: number, payload: unknown): boolean {
    return this.s.setPayload.run(JSON.stringify(payload), id).changes > 0;
  }

  cancel(id: number): boolean {
    return this.s.cancel.run(id).changes > 0;
  }

  /** The items still to go out after `id` in its conversation: those a failed reply `id` holds. */
  laterInConversation(conversationId: number, id: number): OutboxRow[] {
    return this.s.laterInConversation.all(conversationId, id);
  }

  queuedByChannel(): Map<string, number> {
    return new Map(this.s.queuedByChannel.all().map((r) => [r.channel_id, r.n]));
  }

  /** Whether a delivery was in flight when last seen (after a crash, until it is reconciled). */
  anySending(): boolean {
    return this.s.anySending.get()!.n === 1;
  }

  nextWake(): Date | null {
    const at = this.s.nextWake.get()?.at;
    return at ? new Date(at) : null;
  }
}
