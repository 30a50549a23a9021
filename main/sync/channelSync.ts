// Keeps one channel's slice of the cache current: backfill (newest first, resumable), realtime where the
// provider has it, and reconciliation polling by persisted cursor so nothing is missed while realtime is down.
import type { StoredBatch, SyncCursor, SyncStorage, SyncWrite } from '../domain/storage';
import type { ChannelStatus } from '../domain/entities';
import type { RemoteConversation, RemoteMessage } from '../domain/remote';
import type { ProviderConnector, RealtimeEvent } from '../providers/types';
import { agentSentence } from '../providers/refusals';
import { asSync, ProviderError } from '../providers/http';
import type { CoreEvents } from '../events';
import { backoffMs, retryDelayMs, type BackoffCurve, type BackoffScale } from '../domain/backoff';
import { ReadAhead } from './readAhead';

const FLOWS_REFRESH_MS = 5 * 60_000;
/**
 * Realtime by webhooks has no link whose loss tells that the provider went down (a socket's does): while they
 * are live, reconcile at least this often, so an outage shows within 10 s.
 */
const WEBHOOK_RECONCILE_MS = 8_000;
/** Provider pages one look back past the cache may read before it has found an older message. */
const HISTORY_PAGES_PER_LOAD = 10;
/** Backfill batches fetched ahead of the one being stored. */
const READ_AHEAD = 2;

const historyStream = (conversationExternalId: string) => `history:${conversationExternalId}`;

/** After a failure: 1 s doubling to a minute; a failing poll looks again within 15 s, a login within 30 s. */
const RETRY: BackoffCurve = { firstMs: 1_000, maxMs: 60_000 };
const POLL_RETRY: BackoffCurve = { firstMs: 1_000, maxMs: 15_000 };
const LOGIN_RETRY: BackoffCurve = { firstMs: 1_000, maxMs: 30_000 };

export interface ChannelSyncDeps {
  storage: SyncStorage;
  events: CoreEvents;
  channelId: string;
  connector: ProviderConnector;
  log: (line: string) => void;
  /** Tests: shortens every retry's backoff (default 1). */
  backoffScale?: BackoffScale;
}

export class ChannelSync {
  private stopped = false;
  private realtimeLive = false;
  private lastError: ProviderError | null = null;
  private authFailed = false;
  private pollWake: (() => void) | null = null;
  private wakePending = false;
  private unsubscribe: (() => void) | null = null;
  private sleepers = new Set<() => void>();
  private pollErrors = 0;
  private stopWatching: (() => void) | null = null;
  private readonly done: Promise<unknown>[] = [];
  private readonly olderLoads = new Map<number, Promise<number>>();
  /** Realtime events are stored in the order they came, one call after the other. */
  private liveWrites: Promise<unknown> = Promise.resolve();
  /** Status writes, likewise: each compares with what the one before it left. */
  private statusWrites: Promise<void> = Promise.resolve();

  constructor(private readonly d: ChannelSyncDeps) {}

  get connector(): ProviderConnector {
    return this.d.connector;
  }

  /** The provider answered its last request. */
  get reachable(): boolean {
    return !this.lastError?.unreachable;
  }

  /** How long the poll loop waits between reconciliations in the current state. */
  get pollIntervalMs(): number {
    const { connector } = this.d;
    if (!this.realtimeLive) return connector.pollIntervalMs.fallback;
    return connector.capabilities.realtime === 'webhook'
      ? Math.min(connector.pollIntervalMs.live, WEBHOOK_RECONCILE_MS)
      : connector.pollIntervalMs.live;
  }

  start(): void {
    // Every request of the channel, the outbox's included, tells its health at once: the first attempt that
    // finds the provider down shows the channel offline, the first answer shows it back.
    this.stopWatching = this.d.connector.http.onAttempt((failure) => this.attempted(failure));
    // Sync's requests (and what they start: sockets, renewals) leave the agent's actions a share of each window.
    this.done.push(asSync(() => this.run()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatching?.();
    for (const wake of [...this.sleepers]) wake();
    this.unsubscribe?.();
    // Cancels requests in flight or waiting for the rate limiter (a provider's Retry-After can hold one for
    // an hour), so the loops end now.
    this.d.connector.http.close();
    await Promise.allSettled(this.done);
    await this.statusWrites;
    await this.d.storage.saveCursor(this.d.channelId, 'rate', this.rateMemory());
    await this.d.connector.close().catch(() => undefined);
  }

  /** The limiter's recent requests, for the next start (a restart must not spend the provider's window twice). */
  private rateMemory(): SyncCursor {
    return { cursor: this.d.connector.http.limiter.memory(), done: false };
  }

  /** Reconcile now (a webhook or realtime event hinted at changes we do not have). */
  pollNow(): void {
    if (this.pollWake) this.pollWake();
    else this.wakePending = true;
  }

  /** Whether the provider may still hold messages of this conversation older than the cache has. */
  async mayHaveOlder(conversationId: number): Promise<boolean> {
    const { storage, channelId, connector } = this.d;
    const ref = await storage.conversationRef(conversationId);
    if (!ref || !connector.olderMessages) return false;
    return !(await storage.cursor(channelId, historyStream(ref.externalId))).done;
  }

  /**
   * The agent scrolled back past the cache: read the conversation's history from the provider, newest page
   * first, until a page brings messages the cache did not have (or the history ends), and store them. The
   * walk's position is kept, so the next look goes on from there. Resolves to the number of new messages.
   */
  loadOlder(conversationId: number): Promise<number> {
    let load = this.olderLoads.get(conversationId);
    if (!load) {
      load = asSync(() => this.walkBack(conversationId)).finally(() =>
        this.olderLoads.delete(conversationId),
      );
      this.olderLoads.set(conversationId, load);
    }
    return load;
  }

  private async walkBack(conversationId: number): Promise<number> {
    const { storage, channelId, connector } = this.d;
    const ref = await storage.conversationRef(conversationId);
    if (!ref || !connector.olderMessages) return 0;
    const stream = historyStream(ref.externalId);
    let { cursor, done } = await storage.cursor(channelId, stream);
    let added = 0;
    for (let pages = 0; !done && !added && !this.stopped && pages < HISTORY_PAGES_PER_LOAD; pages++) {
      const page = await connector.olderMessages(ref, cursor);
      if (this.stopped) break;
      cursor = page.next;
      done = page.next === null;
      const stored = await this.save([], page.messages, false, [{ stream, at: { cursor, done } }]);
      added += stored.created.length;
    }
    return added;
  }

  /**
   * Apply realtime events (from the provider's socket or a verified webhook), after those that came before;
   * resolves once they are stored.
   */
  applyEvents(events: RealtimeEvent[]): Promise<void> {
    const applied = this.liveWrites.then(() => this.store(events));
    this.liveWrites = applied.catch(() => undefined);
    return applied;
  }

  private async store(events: RealtimeEvent[]): Promise<void> {
    const { storage, channelId } = this.d;
    const convs: RemoteConversation[] = [];
    const msgs: RemoteMessage[] = [];
    for (const e of events) {
      if (e.kind === 'message') {
        if (e.conversation) convs.push(e.conversation);
        // Stored under a placeholder contact until the poll brings the conversation's details.
        else if (!(await storage.hasConversation(channelId, e.message.conversationExternalId)))
          this.pollNow();
        msgs.push(e.message);
      } else if (e.kind === 'conversation') convs.push(e.conversation);
      else if (e.kind === 'message.status') {
        const m = await storage.applyReceipt(channelId, e.externalId, e.status);
        if (m) this.d.events.emit('message.updated', m);
      } else if (e.kind === 'flow') {
        await storage.storeFlow(channelId, e.flow);
        this.d.events.emit('flows.changed', channelId);
      } else this.pollNow();
    }
    if (convs.length || msgs.length)
      this.announce(
        await storage.storeLive({ channelId, conversations: convs, messages: msgs, live: true, cursors: [] }),
      );
  }

  private async run(): Promise<void> {
    const { storage, channelId, connector } = this.d;
    await storage.prepare();
    connector.http.limiter.recall((await storage.cursor(channelId, 'rate')).cursor);
    this.setStatus();
    if (!(await this.authenticate())) return;
    void this.subscribe();
    this.done.push(this.backfillLoop(), this.pollLoop(), this.catalogLoop());
  }

  private async authenticate(): Promise<boolean> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.d.connector.authenticate();
        this.ok();
        return true;
      } catch (e) {
        this.fail(e);
        await this.sleep(this.authFailed ? 60_000 : backoffMs(attempt, LOGIN_RETRY, this.d.backoffScale));
      }
    }
    return false;
  }

  private async subscribe(): Promise<void> {
    if (!this.d.connector.subscribe) return;
    try {
      this.unsubscribe = await this.d.connector.subscribe({
        onEvent: (e) =>
          void this.applyEvents([e]).catch((err: Error) =>
            this.d.log(`realtime event not stored: ${err.message}`),
          ),
        onState: (state, reason) => {
          this.realtimeLive = state === 'live';
          // Live: catch up on what came meanwhile. Down: the provider may be down too; a poll tells at once.
          this.pollNow();
          if (state === 'down' && reason) this.d.log(`realtime down: ${reason}`);
          this.setStatus();
        },
      });
    } catch (e) {
      this.d.log(`realtime unavailable: ${(e as Error).message}`);
    }
  }

  private async backfillLoop(): Promise<void> {
    const { storage, channelId, connector } = this.d;
    let state = await storage.cursor(channelId, 'backfill');
    for (let attempt = 0; !state.done && !this.stopped;) {
      const reader = new ReadAhead((cursor) => connector.backfill(cursor), state.cursor, READ_AHEAD);
      try {
        for (let batch = await reader.next(); batch && !this.stopped; batch = await reader.next()) {
          const reached = { cursor: batch.cursor, done: batch.done };
          await this.save(batch.conversations, batch.messages, false, [
            ...(batch.historyComplete ?? []).map((id) => ({
              stream: historyStream(id),
              at: { cursor: null, done: true },
            })),
            { stream: 'backfill', at: reached },
            { stream: 'rate', at: this.rateMemory() },
          ]);
          state = reached;
          attempt = 0;
          this.ok();
        }
      } catch (e) {
        this.fail(e);
        await this.sleep(
          retryDelayMs(attempt++, RETRY, (e as ProviderError).retryAfterMs, this.d.backoffScale),
        );
      } finally {
        // Batches read ahead of one that failed (or of a stop) are asked for again from the stored cursor.
        reader.drop();
      }
    }
    if (state.done) await storage.markSynced(channelId);
  }

  private async pollLoop(): Promise<void> {
    const { storage, channelId, connector } = this.d;
    while (!this.stopped) {
      await this.sleep(
        this.pollErrors
          ? retryDelayMs(this.pollErrors - 1, POLL_RETRY, this.lastError?.retryAfterMs, this.d.backoffScale)
          : this.pollIntervalMs,
        true,
      );
      if (this.stopped) return;
      try {
        let state = await storage.cursor(channelId, 'poll');
        for (let round = 0; round < 20 && !this.stopped; round++) {
          const batch = await connector.poll(state.cursor);
          if (this.stopped) return;
          const reached = { cursor: batch.cursor, done: batch.done };
          await this.save(batch.conversations, batch.messages, true, [
            { stream: 'poll', at: reached },
            { stream: 'rate', at: this.rateMemory() },
          ]);
          state = reached;
          if (batch.done) break;
        }
        await storage.markSynced(channelId);
        this.pollErrors = 0;
        this.ok();
      } catch (e) {
        this.pollErrors++;
        this.fail(e);
      }
    }
  }

  /** Flows and templates change rarely: fetch at start and every few minutes. */
  private async catalogLoop(): Promise<void> {
    const { storage, channelId, connector } = this.d;
    while (!this.stopped) {
      try {
        if (connector.listFlows) {
          await storage.replaceFlows(channelId, await connector.listFlows());
          this.d.events.emit('flows.changed', channelId);
        }
        if (connector.listTemplates)
          await storage.replaceTemplates(channelId, await connector.listTemplates());
      } catch (e) {
        this.d.log(`flows/templates refresh failed: ${(e as Error).message}`);
      }
      await this.sleep(FLOWS_REFRESH_MS);
    }
  }

  /** Stores a provider batch and its cursors (on the sync writer's thread), then tells the open windows. */
  private async save(
    conversations: RemoteConversation[],
    messages: RemoteMessage[],
    live: boolean,
    cursors: SyncWrite['cursors'],
  ): Promise<StoredBatch> {
    const { storage, channelId } = this.d;
    const stored = await storage.storeBatch({ channelId, conversations, messages, live, cursors });
    this.announce(stored);
    return stored;
  }

  /** Tells the open windows what a stored batch changed. */
  private announce(r: StoredBatch): void {
    for (const m of r.created) this.d.events.emit('message.created', m);
    for (const m of r.updated) this.d.events.emit('message.updated', m);
    for (const c of r.conversations) this.d.events.emit('conversation.updated', c);
  }

  private ok(): void {
    const changed = this.lastError !== null || this.authFailed;
    this.lastError = null;
    this.authFailed = false;
    if (changed) this.setStatus();
  }

  /** How one request of this channel ended (ProviderHttp.onAttempt): reached or not, whoever asked. */
  private attempted(failure: ProviderError | null): void {
    if (this.stopped) return;
    // The channel shows a sentence (setStatus); which request got what answer goes to the log, once.
    if (failure && failure.message !== this.lastError?.message)
      this.d.log(`${failure.kind}: ${failure.message}`);
    if (failure) this.lastError = failure;
    else if (this.lastError?.unreachable) this.lastError = null;
    else return;
    this.setStatus();
  }

  private fail(e: unknown): void {
    if (this.stopped) return; // the cancellation of stop(), not the provider's doing
    const err =
      e instanceof ProviderError
        ? e
        : new ProviderError('malformed', `unexpected answer: ${(e as Error).message}`);
    this.lastError = err;
    this.authFailed = err.kind === 'auth';
    this.d.log(`${err.kind}: ${err.message}`);
    this.setStatus();
  }

  private status(): ChannelStatus {
    if (this.authFailed) return 'auth_error';
    if (this.lastError?.unreachable) return 'offline';
    return this.realtimeLive ? 'live' : 'polling';
  }

  /** Shows the status as it is now, once the status writes before it are done. */
  private setStatus(): void {
    const status = this.status();
    const error = this.lastError && agentSentence(this.d.connector.provider, this.lastError, 'sync');
    this.statusWrites = this.statusWrites
      .then(() => this.writeStatus(status, error))
      .catch((e: Error) => this.d.log(`channel status not stored: ${e.message}`));
  }

  private async writeStatus(status: ChannelStatus, error: string | null): Promise<void> {
    const { storage, channelId, events } = this.d;
    const shown = await storage.channelStatus(channelId);
    if (!shown || (shown.status === status && shown.error === error)) return;
    await storage.setChannelStatus(channelId, status, error);
    events.emit('channel.changed', channelId);
  }

  /** Sleep that stop() ends at once; the poll loop's sleep is also ended by pollNow(). */
  private sleep(ms: number, wakeable = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (wakeable && this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(t);
        this.sleepers.delete(finish);
        if (this.pollWake === finish) this.pollWake = null;
        resolve();
      };
      const t = setTimeout(finish, ms);
      this.sleepers.add(finish);
      if (wakeable) this.pollWake = finish;
    });
  }
}
