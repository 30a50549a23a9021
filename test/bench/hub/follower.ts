// One simulated agent of the hub benchmark, as a desktop follows the team: a socket.io connection that says when
// the feed's head moved, and GET /hub/v1/changes from its cursor on each push (never two reads at once).
import { io, type Socket } from 'socket.io-client';

export interface FeedItem {
  seq: number;
  kind: string;
  conversationId?: string;
  data: Record<string, unknown>;
}

export class Follower {
  private cursor = 0;
  private socket: Socket | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Called with each change as it is read, and the time it was read (performance.now()). */
  onItem: (item: FeedItem, at: number) => void = () => undefined;
  reads = 0;

  constructor(
    readonly hubUrl: string,
    readonly token: string,
  ) {}

  async start(): Promise<void> {
    this.cursor = (await this.page(Number.MAX_SAFE_INTEGER)).head;
    this.socket = io(this.hubUrl, {
      path: '/hub/v1/socket.io',
      auth: { token: this.token },
      transports: ['websocket'],
    });
    this.socket.on('changes', () => this.read());
    await new Promise<void>((resolve, reject) => {
      this.socket!.once('connect', () => resolve());
      this.socket!.once('connect_error', (e) => reject(e));
    });
  }

  /** Stops following: no more pushes, and a read in progress ends after its current page (awaited here). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.close();
    await this.reading;
  }

  private read(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        while (!this.stopped) {
          const r = await this.page(this.cursor);
          const at = performance.now();
          this.reads++;
          for (const it of r.items) this.onItem(it, at);
          if (!r.items.length) break;
          this.cursor = r.items[r.items.length - 1]!.seq;
          if (r.items.length < 500) break;
        }
      } while (this.again && !this.stopped);
    })()
      .catch((e: Error) => console.error(`follower read failed: ${e.message}`))
      .finally(() => (this.reading = null));
  }

  private async page(after: number): Promise<{ items: FeedItem[]; head: number }> {
    const res = await fetch(`${this.hubUrl}/hub/v1/changes?after=${after}&limit=500`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!res.ok) throw new Error(`GET /hub/v1/changes answered ${res.status}`);
    return (await res.json()) as { items: FeedItem[]; head: number };
  }
}
