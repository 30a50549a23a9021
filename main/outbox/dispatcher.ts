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
// In order: a reply that failed for good holds the later items of its conversation (OutboxStorage.due) until
// the agent retries, edits or discards it; the customer never reads reply #3 without #2.
//
// Outages: items of a channel its sync shows offline are not tried (OutboxStorage.due); they say why they wait at
// once, and go as soon as the channel is back. Every delivery is the agent's own action: its requests go before
// sync's in the account's rate limiter.
import type { OutboxRow, OutboxStorage } from '../domain/storage';
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
  /** Its items and their messages; what depends on an item is told when it settles (settleSent, settleFailed). */
  storage: OutboxStorage;
  events: CoreEvents;
  connectorFor(channelId: string): ProviderConnector | null;
  /** Every channel's sync is paused (the tray's "Pause sync"). */
  syncPaused(): boolean;
  log: (line: string) => void;
  /** Override IN_FLIGHT_GRACE_MS (tests against fast simulators). */
  inFlightGraceMs?: number;
  /** Tests: shortens the backoff between a failed send's tries (default 1). */
  backoffScale?: BackoffScale;
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
    await this.followOutages();
    // An item in flight while the due ones are read may have settled since: the next round sees it as it is.
    const inFlightAtRead = new Set(this.inFlight.keys());
    // Paused channels' items are not due (OutboxStorage.due); "Pause sync" in the tray holds back every channel.
    const due = this.d.syncPaused() ? [] : await this.d.storage.due(200);
    const busyConversations = new Set(this.inFlight.values());
    for (const row of due) {
      if (this.stopped) return;
      if (this.inFlight.has(row.id) || inFlightAtRead.has(row.id)) continue;
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
    await this.scheduleWake();
  }

  private async scheduleWake(): Promise<void> {
    const { at: next, sending: recovering } = await this.d.storage.nextWake();
    if (this.timer) clearTimeout(this.timer);
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
  private async followOutages(): Promise<void> {
    const { storage } = this.d;
    const now = new Map<string, string>();
    for (const c of await storage.offlineChannels())
      now.set(c.id, c.error ?? `${PROVIDER_NAMES[c.provider]} could not be reached`);
    for (const [channelId, reason] of now) await this.announce(await storage.noteOutage(channelId, reason));
    for (const channelId of this.outages.keys())
      if (!now.has(channelId)) await this.announce(await storage.releaseOutage(channelId));
    this.outages = now;
  }

  /** Tells the windows about items whose reason to wait changed (and their messages, which show it). */
  private async announce(rows: OutboxRow[]): Promise<void> {
    for (const row of rows) {
      if (row.message_id !== null) {
        const m = await this.d.storage.setMessageStatus(
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
    const { storage } = this.d;
    try {
      if (row.unconfirmed_since !== null) return await this.checkUnconfirmed(row, connector);
      if (row.status === 'sending' || row.attempts > 0) {
        // It may have reached the provider already (crash or ambiguous failure): ask before resending.
        if (
          row.sending_since &&
          Date.now() - Date.parse(row.sending_since) < this.grace &&
          row.status === 'sending'
        ) {
          await storage.retryLater(
            row.id,
            'checking whether the last attempt arrived',
            new Date(Date.parse(row.sending_since) + this.grace),
          );
          return;
        }
        const found = await this.alreadyDelivered(row, connector);
        if (found) return await this.succeed(row, found);
      }
      await storage.markSending(row.id);
      await this.emitItem(row.id);
      const result = await this.perform(row, connector);
      await this.succeed(row, result);
    } catch (e) {
      await this.handleFailure(row, e, connector);
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
    await this.d.storage.checkedUnconfirmed(
      row.id,
      `sent, not yet shown by ${PROVIDER_NAMES[connector.provider]}: looking again`,
      this.unconfirmedCheckAt(row.unconfirmed_since!, checks),
    );
    await this.emitItem(row.id);
  }

  private unconfirmedReason(connector: ProviderConnector): string {
    return `sent but not confirmed by ${PROVIDER_NAMES[connector.provider]}: check the conversation before sending again`;
  }

  private async ref(row: OutboxRow): Promise<ConversationRef> {
    const ref =
      row.conversation_id === null ? null : await this.d.storage.conversationRef(row.conversation_id);
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
    const copies = await connector.findSent(await this.ref(row), String(p.text), since);
    for (const m of copies) if (!(await this.carriedByAnotherReply(row, m.externalId))) return m;
    return null;
  }

  private async carriedByAnotherReply(row: OutboxRow, externalId: string): Promise<boolean> {
    const carrier = await this.d.storage.replyCarrying(row.conversation_id!, externalId);
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
      await connector.setConversationStatus(
        await this.ref(row),
        p.status === 'resolved' ? 'resolved' : 'open',
      );
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
    return connector.send(await this.ref(row), String(p.text), row.idempotency_key);
  }

  private async succeed(row: OutboxRow, r: Outcome): Promise<void> {
    const { storage, events } = this.d;
    const status = r.status === 'delivered' || r.status === 'read' ? r.status : 'sent';
    // One transaction with what depends on it (broadcast recipients, flow state): a crash leaves both or neither.
    const marked = await storage.settleSent(
      row,
      r.result,
      r.externalId ? { externalId: r.externalId, status } : null,
    );
    if (marked?.collidedWith != null)
      this.d.log(
        `outbox ${row.id}: the provider named message ${r.externalId ?? ''} as this reply, but local message ` +
          `${marked.collidedWith} (another reply) already carries it; both kept`,
      );
    if (marked) events.emit('message.updated', marked.message);
    await this.emitItem(row.id);
  }

  private async handleFailure(row: OutboxRow, e: unknown, connector: ProviderConnector): Promise<void> {
    const err = e instanceof ProviderError ? e : new ProviderError('client', (e as Error).message);
    const current = await this.d.storage.item(row.id);
    if (!current || current.status === 'cancelled') return;
    // The request line and the provider's answer go to the log; the agent reads a sentence.
    this.d.log(`outbox ${row.id}: ${err.kind}: ${err.message}`);
    const said = agentSentence(connector.provider, err, row.kind);
    const expired = Date.now() - Date.parse(row.created_at) > GIVE_UP_AFTER_MS;
    if (err.kind === 'unconfirmed') await this.unconfirmed(current, err, connector);
    else if (err.transient && !expired) await this.retry(current, err, said);
    // Looking for an unconfirmed send failed for good (the credentials went, say): still the agent's call.
    else if (current.unconfirmed_since !== null)
      await this.giveUp(row, `${this.unconfirmedReason(connector)} (${said})`);
    else await this.giveUp(row, expired ? `gave up after 24 h: ${said}` : said);
  }

  /**
   * The send left and the provider did not say whether it arrived. What has a conversation and a text is looked
   * for there later (findSent), never sent again; a flow switch or status change is checked or simply repeated;
   * a native broadcast cannot be looked for.
   */
  private async unconfirmed(row: OutboxRow, err: ProviderError, connector: ProviderConnector): Promise<void> {
    const { storage, events } = this.d;
    const said = agentSentence(connector.provider, err, row.kind);
    if (row.kind === 'flow_toggle' || row.kind === 'status') return this.retry(row, err, said);
    if (row.conversation_id === null)
      return this.giveUp(row, `${said}: check the provider before sending it again`);
    const name = PROVIDER_NAMES[connector.provider];
    await storage.markUnconfirmed(
      row.id,
      `sent, not yet confirmed by ${name}: looking for it`,
      this.unconfirmedCheckAt(new Date().toISOString(), 0),
    );
    if (row.message_id !== null) {
      const m = await storage.setMessageStatus(
        row.message_id,
        'sending',
        `sent, checking that ${name} has it`,
      );
      if (m) events.emit('message.updated', m);
    }
    await this.emitItem(row.id);
  }

  private async retry(row: OutboxRow, err: ProviderError, why: string): Promise<void> {
    const { storage, events } = this.d;
    const wait = retryDelayMs(row.attempts, RETRY, err.retryAfterMs, this.d.backoffScale);
    await storage.retryLater(row.id, why, new Date(Date.now() + wait));
    if (row.message_id !== null) {
      const m = await storage.setMessageStatus(row.message_id, 'queued', `waiting: ${why}`);
      if (m) events.emit('message.updated', m);
    }
    await this.emitItem(row.id);
  }

  /** Failed for good: the agent sees the reason and retries, edits or discards; later replies wait meanwhile. */
  private async giveUp(row: OutboxRow, reason: string): Promise<void> {
    const { storage, events } = this.d;
    const m = await storage.settleFailed(row, reason);
    if (m) events.emit('message.updated', m);
    await announceHeld(storage, events, row);
    await this.emitItem(row.id);
  }

  private async emitItem(id: number): Promise<void> {
    const row = await this.d.storage.item(id);
    if (row?.message_id != null && row.status === 'sending') {
      const m = await this.d.storage.setMessageStatus(row.message_id, 'sending', null);
      if (m) this.d.events.emit('message.updated', m);
    }
    if (row) this.d.events.emit('outbox.item', row);
  }
}

/**
 * A reply failed for good, or was retried or discarded: the later items of its conversation are now held, or
 * free to go. Tell the windows, whose copies of those items did not change otherwise.
 */
export async function announceHeld(
  storage: OutboxStorage,
  events: CoreEvents,
  row: OutboxRow,
): Promise<void> {
  if (row.kind !== 'reply' || row.conversation_id === null) return;
  for (const later of await storage.laterInConversation(row.conversation_id, row.id))
    events.emit('outbox.item', later);
}
