// One signed-in session with a hub: it uploads the agent's queued team writes, fills the cache from the hub's
// snapshot and then follows its change feed from the stored cursor, woken by the hub's socket.io push
// (`changes {head}`), by a local write, or every few seconds as a fallback. Uploads go first in each round, so
// the feed the round then reads already holds them (no flicker back to the hub's older state).
import { io, type Socket } from 'socket.io-client';
import type { Store } from '../db';
import { nothingApplied, type TeamApplied } from '../db/team';
import type { TeamStatus } from '../contract/team';
import type { ChangesEvent, OpResult, PresenceEvent } from '../contract/hub';
import { HubError, type HubClient } from './hubClient';

/** Between rounds while the hub answers (the socket's push usually comes first). */
const POLL_MS = 3_000;
/** Between attempts while the hub does not answer: doubling from the first to the last. */
const RETRY_MS = [1_000, 5_000] as const;
const CHANGES_PAGE = 500;
const OPS_BATCH = 100;

export interface SessionDeps {
  store: Store;
  client: HubClient;
  token: string;
  /** The rows a round changed, for the pushes to open windows. */
  onApplied: (applied: TeamApplied) => void;
  onStatus: (status: TeamStatus) => void;
  /** An op the hub answered (its reply message may have changed). */
  onSettled: (result: OpResult, messageId: number | null) => void;
  /** Who is in a conversation now, as the hub tells (its conversation id). */
  onPresence: (e: PresenceEvent) => void;
  log: (line: string) => void;
  pollMs?: number;
}

export class TeamSession {
  status: TeamStatus = 'connecting';
  private stopped = false;
  private wake: (() => void) | null = null;
  private kicked = false;
  private uploading: Promise<void> = Promise.resolve();
  private socket: Socket | null = null;
  private loop: Promise<void> | null = null;
  /** Rounds failed in a row (the wait before the next one grows with them). */
  private failures = 0;

  constructor(private readonly d: SessionDeps) {}

  start(): void {
    this.socket = io(this.d.client.baseUrl, {
      path: '/hub/v1/socket.io',
      auth: { token: this.d.token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 3_000,
    });
    // A reconnect resumes from the stored cursor: the next round reads whatever the head moved past meanwhile.
    this.socket.on('connect', () => this.kick());
    this.socket.on('changes', (_e: ChangesEvent) => this.kick());
    this.socket.on('presence', (e: PresenceEvent) => this.d.onPresence(e));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.close();
    this.kick();
    await this.loop;
    await this.uploading;
  }

  /** Something to do now: a local write to upload, or the hub's head moved. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Tells the team what this agent does in a conversation (dropped while the socket is down: it is re-sent). */
  presence(hubConversationId: string, state: 'viewing' | 'typing' | 'idle'): void {
    if (this.socket?.connected) this.socket.emit('presence', { conversationId: hubConversationId, state });
  }

  /**
   * Uploads the queue now (one upload at a time, in queue order); waits at most `timeoutMs` for the hub.
   * Resolves once the hub answered or the wait ran out; the queue keeps what was not answered.
   */
  async uploadNow(timeoutMs: number): Promise<void> {
    const done = this.upload(timeoutMs);
    await Promise.race([done, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private upload(timeoutMs?: number): Promise<void> {
    const next = this.uploading.then(() => this.uploadQueued(timeoutMs));
    this.uploading = next.catch(() => undefined);
    return next;
  }

  private async uploadQueued(timeoutMs?: number): Promise<void> {
    const { store, client } = this.d;
    for (;;) {
      if (!store.isOpen()) return;
      const ops = store.team.queuedOps(OPS_BATCH);
      if (!ops.length) return;
      const results = await client.ops(
        ops.map((o) => o.op),
        timeoutMs,
      );
      for (const r of results) this.d.onSettled(r, store.team.settleOp(r));
      if (ops.length < OPS_BATCH) return;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.kicked = false;
      let wait = this.d.pollMs ?? POLL_MS;
      try {
        await this.upload();
        await this.follow();
        this.failures = 0;
        this.setStatus('online');
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof HubError && e.status === 401) {
          this.setStatus('signed_out');
          this.d.log(`[team] the hub refused the session: ${e.message}`);
          return;
        }
        if (this.status !== 'offline') this.d.log(`[team] hub unreachable: ${(e as Error).message}`);
        this.setStatus('offline');
        wait = Math.min(RETRY_MS[0] * 2 ** this.failures++, RETRY_MS[1]);
      }
      if (this.kicked || this.stopped) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** The snapshot while it is not done, then the feed up to its head. */
  private async follow(): Promise<void> {
    const { store, client } = this.d;
    const me = () => store.team.get()?.agent.id ?? '';
    let team = store.team.get();
    if (!team) return;
    if (team.cursor === null) {
      // The channels and agents first: the snapshot's conversations belong to them, and the feed only tells
      // what changes after its head.
      const [channels, agents] = await Promise.all([client.channels(), client.agents()]);
      store.team.applyDirectory(channels, agents.items);
      this.d.onApplied({ ...nothingApplied(), channels: true });
      // Each page is asked for before the one before it is stored, so the hub reads it meanwhile.
      let next = client.snapshot(team.snapshotCursor);
      for (;;) {
        if (this.stopped) return;
        const page = await next;
        if ('head' in page) {
          store.team.setCursor(page.head);
          break;
        }
        next = client.snapshot(page.nextCursor);
        // Read by the next round, or dropped when this one stops; never an unhandled rejection.
        next.catch(() => undefined);
        const applied = store.team.applySnapshotPage(page, page.nextCursor, me());
        // A snapshot is history: its conversations are announced (the inbox refreshes), its messages are not, one
        // by one (a million old messages read back and told to every window, each a candidate alert).
        this.d.onApplied({ ...applied, createdMessages: [], updatedMessages: [] });
      }
      team = store.team.get()!;
    }
    let after = team.cursor!;
    for (;;) {
      if (this.stopped) return;
      const page = await client.changes(after, CHANGES_PAGE);
      if (!page.items.length) return;
      after = page.items[page.items.length - 1].seq;
      this.d.onApplied(store.team.applyChanges(page.items, after, me()));
      if (after >= page.head) return;
    }
  }

  private setStatus(status: TeamStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.d.onStatus(status);
  }
}
