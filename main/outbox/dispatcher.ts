// Delivers the outbox: in order per conversation, concurrently across conversations and channels, within
// each provider's rate limit (the connector's own limiter), exactly once across crashes.
//
// Exactly once: a row is marked `sending` (committed) before its request leaves. At start, or before any
// resend, the dispatcher asks the provider whether the message already arrived (findSent) — so a crash
// between "the provider accepted it" and "we stored that" never produces a second copy. findSent matches by
// text, so a copy another local reply already carries (the agent sent the same text twice) is not this one.
//
// A send whose outcome the provider left unknown (ProviderError 'unconfirmed') is never sent again blindly: the
// provider is asked a few times over a couple of minutes, and if it never shows the message, the reply is parked
// as failed for the agent to check the conversation and decide (Retry, Edit, Discard).
//
// In order: a reply that failed for good holds the later items of its conversation (OutboxRepo.due) until
// the agent retries, edits or discards it; the customer never reads reply #3 without #2.
//
// Outages: items of a channel its sync shows offline are not tried (OutboxRepo.due); they say why they wait at
// once, and go as soon as the channel is back. Every delivery is the agent's own action: its requests go before
// sync's in the account's rate limiter.
import type { Store } from '../db';
import type { OutboxRow } from '../domain/storage';
import { PROVIDER_NAMES } from '../domain/entities';
import type { ConversationRef } from '../domain/remote';
import type { ProviderConnector } from '../providers/types';
import { asAgentAction, ProviderError } from '../providers/http';
import { agentSentence } from '../providers/refusals';
import type { CoreEvents } from '../events';
import { retryDelayMs, type BackoffCurve, type BackoffScale } from '../domain/backoff';

/** Transient failures stop being retried after this long; the agent sees the reason and can retry by hand. */
const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** A send that was in flight at a crash may still land this long after it left; wait before asking the provider. */
const IN_FLIGHT_GRACE_MS = 12_000;
/**
 * When an unconfirmed send is looked for at the provider, in multiples of the in-flight grace after it left
 * (by default 12 s, 30 s, 1 min and 2 min). Not found by the last: the agent decides.
 */
const UNCONFIRMED_CHECKS = [1, 2.5, 5, 10];
const PER_CHANNEL_CONCURRENCY = 4;
/** A send that failed and may be tried again waits 1 s, doubling to a minute. */
const RETRY: BackoffCurve = { firstMs: 1_000, maxMs: 60_000 };

type Outcome = { externalId?: string; status?: string; result?: unknown };

export interface DispatcherDeps {
  store: Store;
  events: CoreEvents;
  connectorFor(channelId: string): ProviderConnector | null;
  /** Every channel's sync is paused (the tray's "Pause sync"). */
  syncPaused(): boolean;
  log: (line: string) => void;
  /** Override IN_FLIGHT_GRACE_MS (tests against fast simulators). */
  inFlightGraceMs?: number;
  /** Tests: shortens the backoff between a failed send's tries (default 1). */
  backoffScale?: BackoffScale;
  /** Called when a flow toggle or broadcast item finishes, so their services can update state. */
  onSettled(row: OutboxRow, outcome: { ok: true; result?: unknown } | { ok: false; error: string }): void;
}

export class Dispatcher {
  /** Outbox id → its conversation, for everything being delivered right now. */
  private inFlight = new Map<number, number | null>();
  private perChannel = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private rerun = false;
  /** Channels their sync shows offline → why, as the agent reads it. */
  private outages = new Map<string, string>();

  constructor(private readonly d: DispatcherDeps) {}

  start(): void {
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Something changed (new item, channel back): look for due work once the current request is answered. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.tick())
      .catch((e: Error) => this.d.log(`dispatch round failed: ${e.message}`))
      .finally(() => {
        this.running = null;
        if (this.rerun) {
          this.rerun = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    this.followOutages();
    const busyConversations = new Set(this.inFlight.values());
    // Paused channels' items are not due (OutboxRepo.due); "Pause sync" in the tray holds back every channel.
    const due = this.d.syncPaused() ? [] : this.d.store.outbox.due(200);
    for (const row of due) {
      if (this.stopped) return;
      if (this.inFlight.has(row.id)) continue;
      if (row.conversation_id !== null && busyConversations.has(row.conversation_id)) continue;
      if ((this.perChannel.get(row.channel_id) ?? 0) >= PER_CHANNEL_CONCURRENCY) continue;
      const connector = this.d.connectorFor(row.channel_id);
      if (!connector) continue;
      this.inFlight.set(row.id, row.conversation_id);
      if (row.conversation_id !== null) busyConversations.add(row.conversation_id);
      this.perChannel.set(row.channel_id, (this.perChannel.get(row.channel_id) ?? 0) + 1);
      void this.deliver(row, connector).finally(() => {
        this.inFlight.delete(row.id);
        this.perChannel.set(row.channel_id, (this.perChannel.get(row.channel_id) ?? 1) - 1);
        this.kick();
      });
    }
    this.scheduleWake();
  }

  private scheduleWake(): void {
    if (this.timer) clearTimeout(this.timer);
    const next = this.d.store.outbox.nextWake();
    const recovering = this.d.store.outbox.anySending();
    const ms = Math.min(
      next ? Math.max(50, next.getTime() - Date.now()) : 30_000,
      recovering ? 1000 : 30_000,
    );
    this.timer = setTimeout(() => this.kick(), ms);
    this.timer.unref();
  }

  /**
   * Items of an offline channel say why they wait, at once (new ones included); when the channel is back they are
   * due at once, in order, rather than at the end of their last backoff.
   */
  private followOutages(): void {
    const { store } = this.d;
    const now = new Map<string, string>();
    for (const c of store.channels.all())
      if (c.status === 'offline' && !c.paused)
        now.set(c.id, c.error ?? `${PROVIDER_NAMES[c.provider]} could not be reached`);
    for (const [channelId, reason] of now) this.announce(store.outbox.noteOutage(channelId, reason));
    for (const channelId of this.outages.keys())
      if (!now.has(channelId)) this.announce(store.outbox.releaseOutage(channelId));
    this.outages = now;
  }

  /** Tells the windows about items whose reason to wait changed (and their messages, which show it). */
  private announce(rows: OutboxRow[]): void {
    for (const row of rows) {
      if (row.message_id !== null) {
        const m = this.d.store.messages.setStatus(
          row.message_id,
          'queued',
          row.error === null ? null : `waiting: ${row.error}`,
        );
        if (m) this.d.events.emit('message.updated', m);
      }
      this.d.events.emit('outbox.item', row);
    }
  }

  private deliver(row: OutboxRow, connector: ProviderConnector): Promise<void> {
    return asAgentAction(() => this.attempt(row, connector));
  }

  private async attempt(row: OutboxRow, connector: ProviderConnector): Promise<void> {
    const { store } = this.d;
    try {
      if (row.unconfirmed_since !== null) return await this.checkUnconfirmed(row, connector);
      if (row.status === 'sending' || row.attempts > 0) {
        // It may have reached the provider already (crash or ambiguous failure): ask before resending.
        if (
          row.sending_since &&
          Date.now() - Date.parse(row.sending_since) < this.grace &&
          row.status === 'sending'
        ) {
          store.outbox.retryLater(
            row.id,
            'checking whether the last attempt arrived',
            new Date(Date.parse(row.sending_since) + this.grace),
          );
          return;
        }
        const found = await this.alreadyDelivered(row, connector);
        if (found) return this.succeed(row, found);
      }
      store.outbox.markSending(row.id);
      this.emitItem(row.id);
      const result = await this.perform(row, connector);
      this.succeed(row, result);
    } catch (e) {
      this.handleFailure(row, e, connector);
    }
  }

  private get grace(): number {
    return this.d.inFlightGraceMs ?? IN_FLIGHT_GRACE_MS;
  }

  /** When the check after `checks` earlier ones is due, for a send left unconfirmed at `since`. */
  private unconfirmedCheckAt(since: string, checks: number): Date {
    return new Date(Date.parse(since) + UNCONFIRMED_CHECKS[checks] * this.grace);
  }

  /** Looks for a send left unconfirmed (due at its next check); never sends it again. */
  private async checkUnconfirmed(row: OutboxRow, connector: ProviderConnector): Promise<void> {
    const found = await this.alreadyDelivered(row, connector);
    if (found) return this.succeed(row, found);
    const checks = row.unconfirmed_checks + 1;
    if (checks >= UNCONFIRMED_CHECKS.length) return this.giveUp(row, this.unconfirmedReason(connector));
    this.d.store.outbox.checkedUnconfirmed(
      row.id,
      `sent, not yet shown by ${PROVIDER_NAMES[connector.provider]}: looking again`,
      this.unconfirmedCheckAt(row.unconfirmed_since!, checks),
    );
    this.emitItem(row.id);
  }

  private unconfirmedReason(connector: ProviderConnector): string {
    return `sent but not confirmed by ${PROVIDER_NAMES[connector.provider]}: check the conversation before sending again`;
  }

  private ref(row: OutboxRow): ConversationRef {
    const ref = row.conversation_id === null ? null : this.d.store.conversations.ref(row.conversation_id);
    if (!ref) throw new ProviderError('not_found', 'the conversation no longer exists');
    return { externalId: ref.externalId, contactExternalId: ref.contactExternalId, meta: ref.meta };
  }

  private payload(row: OutboxRow): Record<string, unknown> {
    return JSON.parse(row.payload) as Record<string, unknown>;
  }

  private async alreadyDelivered(
    row: OutboxRow,
    connector: ProviderConnector,
  ): Promise<{ externalId: string; status: string } | null> {
    // Toggles are checked against the provider's state in perform(); a status change may simply go again.
    if (row.kind === 'flow_toggle' || row.kind === 'status') return null;
    const p = this.payload(row);
    if (row.kind === 'broadcast' && p.native) {
      throw new ProviderError(
        'client',
        'the app stopped while this broadcast was being sent; check the provider before sending it again',
      );
    }
    const since = new Date(Date.parse(row.created_at) - 60_000).toISOString();
    const copies = await connector.findSent(this.ref(row), String(p.text), since);
    return copies.find((m) => !this.carriedByAnotherReply(row, m.externalId)) ?? null;
  }

  private carriedByAnotherReply(row: OutboxRow, externalId: string): boolean {
    const carrier = this.d.store.messages.replyCarrying(row.conversation_id!, externalId);
    return carrier !== null && carrier !== row.message_id;
  }

  private async perform(row: OutboxRow, connector: ProviderConnector): Promise<Outcome> {
    const p = this.payload(row);
    if (row.kind === 'status') {
      if (!connector.setConversationStatus)
        throw new ProviderError(
          'client',
          `${PROVIDER_NAMES[connector.provider]} has no way to resolve or reopen a conversation`,
        );
      await connector.setConversationStatus(this.ref(row), p.status === 'resolved' ? 'resolved' : 'open');
      return {};
    }
    if (row.kind === 'flow_toggle') {
      if (!connector.setFlowActive) throw new ProviderError('client', 'this provider cannot switch flows');
      const current = (await connector.listFlows?.())?.find((f) => f.externalId === String(p.externalId));
      if (current?.active === Boolean(p.active)) return { result: current };
      if (current && current.active !== Boolean(p.expected)) {
        throw new ProviderError(
          'client',
          `it was switched ${current.active ? 'on' : 'off'} at the provider meanwhile; not overwritten`,
        );
      }
      const flow = await connector.setFlowActive(String(p.externalId), Boolean(p.active));
      return { result: flow };
    }
    if (row.kind === 'broadcast' && p.native) {
      if (!connector.broadcast) throw new ProviderError('client', 'this provider has no native broadcast');
      const b = await connector.broadcast({
        name: String(p.name),
        text: String(p.text),
        tags: p.tags as string[] | undefined,
        platforms: p.platforms as string[] | undefined,
        scheduleAt: typeof p.scheduleAt === 'string' ? p.scheduleAt : undefined,
        timezone: typeof p.timezone === 'string' ? p.timezone : undefined,
      });
      return { result: b };
    }
    return connector.send(this.ref(row), String(p.text), row.idempotency_key);
  }

  private succeed(row: OutboxRow, r: Outcome): void {
    const { store, events } = this.d;
    // One transaction with what depends on it (broadcast recipients, flow state): a crash leaves both or neither.
    const marked = store.transaction(() => {
      store.outbox.markSent(row.id);
      this.d.onSettled(row, { ok: true, result: r.result });
      if (row.message_id !== null && r.externalId) {
        const status = r.status === 'delivered' || r.status === 'read' ? r.status : 'sent';
        return store.messages.markSent(row.message_id, r.externalId, status);
      }
      return null;
    });
    if (marked?.collidedWith != null)
      this.d.log(
        `outbox ${row.id}: the provider named message ${r.externalId ?? ''} as this reply, but local message ` +
          `${marked.collidedWith} (another reply) already carries it; both kept`,
      );
    if (marked) events.emit('message.updated', marked.message);
    this.emitItem(row.id);
  }

  private handleFailure(row: OutboxRow, e: unknown, connector: ProviderConnector): void {
    const err = e instanceof ProviderError ? e : new ProviderError('client', (e as Error).message);
    const current = this.d.store.outbox.get(row.id);
    if (!current || current.status === 'cancelled') return;
    // The request line and the provider's answer go to the log; the agent reads a sentence.
    this.d.log(`outbox ${row.id}: ${err.kind}: ${err.message}`);
    const said = agentSentence(connector.provider, err, row.kind);
    const expired = Date.now() - Date.parse(row.created_at) > GIVE_UP_AFTER_MS;
    if (err.kind === 'unconfirmed') this.unconfirmed(current, err, connector);
    else if (err.transient && !expired) this.retry(current, err, said);
    // Looking for an unconfirmed send failed for good (the credentials went, say): still the agent's call.
    else if (current.unconfirmed_since !== null)
      this.giveUp(row, `${this.unconfirmedReason(connector)} (${said})`);
    else this.giveUp(row, expired ? `gave up after 24 h: ${said}` : said);
  }

  /**
   * The send left and the provider did not say whether it arrived. What has a conversation and a text is looked
   * for there later (findSent), never sent again; a flow switch or status change is checked or simply repeated;
   * a native broadcast cannot be looked for.
   */
  private unconfirmed(row: OutboxRow, err: ProviderError, connector: ProviderConnector): void {
    const { store, events } = this.d;
    const said = agentSentence(connector.provider, err, row.kind);
    if (row.kind === 'flow_toggle' || row.kind === 'status') return this.retry(row, err, said);
    if (row.conversation_id === null)
      return this.giveUp(row, `${said}: check the provider before sending it again`);
    const name = PROVIDER_NAMES[connector.provider];
    store.outbox.markUnconfirmed(
      row.id,
      `sent, not yet confirmed by ${name}: looking for it`,
      this.unconfirmedCheckAt(new Date().toISOString(), 0),
    );
    if (row.message_id !== null) {
      const m = store.messages.setStatus(row.message_id, 'sending', `sent, checking that ${name} has it`);
      if (m) events.emit('message.updated', m);
    }
    this.emitItem(row.id);
  }

  private retry(row: OutboxRow, err: ProviderError, why: string): void {
    const { store, events } = this.d;
    const wait = retryDelayMs(row.attempts, RETRY, err.retryAfterMs, this.d.backoffScale);
    store.outbox.retryLater(row.id, why, new Date(Date.now() + wait));
    if (row.message_id !== null) {
      const m = store.messages.setStatus(row.message_id, 'queued', `waiting: ${why}`);
      if (m) events.emit('message.updated', m);
    }
    this.emitItem(row.id);
  }

  /** Failed for good: the agent sees the reason and retries, edits or discards; later replies wait meanwhile. */
  private giveUp(row: OutboxRow, reason: string): void {
    const { store, events } = this.d;
    const m = store.transaction(() => {
      store.outbox.markFailed(row.id, reason);
      this.d.onSettled(row, { ok: false, error: reason });
      return row.message_id === null ? null : store.messages.setStatus(row.message_id, 'failed', reason);
    });
    if (m) events.emit('message.updated', m);
    announceHeld(store, events, row);
    this.emitItem(row.id);
  }

  private emitItem(id: number): void {
    const row = this.d.store.outbox.get(id);
    if (row?.message_id != null && row.status === 'sending') {
      const m = this.d.store.messages.setStatus(row.message_id, 'sending', null);
      if (m) this.d.events.emit('message.updated', m);
    }
    if (row) this.d.events.emit('outbox.item', row);
  }
}

/**
 * A reply failed for good, or was retried or discarded: the later items of its conversation are now held, or
 * free to go. Tell the windows, whose copies of those items did not change otherwise.
 */
export function announceHeld(store: Store, events: CoreEvents, row: OutboxRow): void {
  if (row.kind !== 'reply' || row.conversation_id === null) return;
  for (const later of store.outbox.laterInConversation(row.conversation_id, row.id))
    events.emit('outbox.item', later);
}
