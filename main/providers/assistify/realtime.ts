// Assistify's realtime channel is one WebSocket per conversation (ws://host/ws/chat/{id}/). This pool keeps
// sockets open for a bounded set of conversations, reconnects each with backoff, and reports the link as
// 'live' while any socket is open and 'down' when the last one fails.
import WebSocket from 'ws';
import { backoffMs, type BackoffCurve, type BackoffScale } from '../../domain/backoff';
import { ProviderError } from '../http';

export interface SocketEvents {
  frame(conversationId: string, data: unknown): void;
  state(state: 'live' | 'down', reason?: string): void;
}

interface Link {
  id: string;
  ws: WebSocket | null;
  attempt: number;
  retry: NodeJS.Timeout | null;
  lastError: string;
}

const RECONNECT: BackoffCurve = { firstMs: 500, maxMs: 30_000 };

function parseFrame(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

export class ChatSockets {
  /** Least recently used first. */
  private readonly links = new Map<string, Link>();
  private reported: 'live' | 'down' | null = null;
  private closed = false;

  constructor(
    private readonly wsOrigin: string,
    private readonly token: string,
    private readonly events: SocketEvents,
    private readonly max: number,
    private readonly backoffScale: BackoffScale = 1,
  ) {}

  /** Keep sockets open for these conversations (most recently active first); close the others. */
  watch(ids: string[]): void {
    const wanted = new Set(ids.slice(0, this.max));
    for (const link of this.links.values()) if (!wanted.has(link.id)) this.drop(link);
    for (const id of [...wanted].reverse()) this.touch(id);
    this.report();
  }

  /** Report the state again from scratch (a new subscriber). */
  restate(): void {
    this.reported = null;
    this.report();
  }

  /** An open socket for sending into one conversation, opened (and kept) when needed. */
  async open(id: string, timeoutMs: number): Promise<WebSocket> {
    if (this.closed) throw new ProviderError('network', 'the Assistify connector is closed');
    const link = this.touch(id);
    this.trim();
    if (!link.ws) this.connect(link);
    const ws = link.ws!;
    if (ws.readyState !== WebSocket.OPEN) await this.opened(ws, id, timeoutMs);
    return ws;
  }

  close(): void {
    this.closed = true;
    for (const link of this.links.values()) this.drop(link);
  }

  private opened(ws: WebSocket, id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: string) => {
        clearTimeout(timer);
        ws.off('open', onOpen);
        ws.off('close', onClose);
        if (err) reject(new ProviderError('network', `Assistify chat socket for conversation ${id}: ${err}`));
        else resolve();
      };
      const onOpen = () => done();
      const onClose = () => done(this.links.get(id)?.lastError || 'connection closed');
      const timer = setTimeout(() => done(`not open after ${timeoutMs / 1000} s`), timeoutMs);
      ws.on('open', onOpen);
      ws.on('close', onClose);
    });
  }

  /** The link for a conversation, created and connecting if new, moved to most recently used. */
  private touch(id: string): Link {
    const link = this.links.get(id) ?? { id, ws: null, attempt: 0, retry: null, lastError: '' };
    this.links.delete(id);
    this.links.set(id, link);
    if (!link.ws && !link.retry && !this.closed) this.connect(link);
    return link;
  }

  private trim(): void {
    for (const link of this.links.values()) if (this.links.size > this.max) this.drop(link);
  }

  private drop(link: Link): void {
    this.links.delete(link.id);
    if (link.retry) clearTimeout(link.retry);
    link.ws?.close();
  }

  private connect(link: Link): void {
    if (link.retry) clearTimeout(link.retry);
    link.retry = null;
    // The doc's example sends no credentials; we send the Bearer header and ?token= (browsers' only way).
    const url = `${this.wsOrigin}/ws/chat/${encodeURIComponent(link.id)}/?token=${encodeURIComponent(this.token)}`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.token}` },
      handshakeTimeout: 10_000,
      maxPayload: 1 << 20,
    });
    link.ws = ws;
    ws.on('open', () => {
      link.attempt = 0;
      link.lastError = '';
      this.report();
    });
    ws.on('message', (data) => this.events.frame(link.id, parseFrame(data.toString())));
    ws.on('error', (e) => (link.lastError = e.message));
    ws.on('close', () => {
      if (link.ws === ws) link.ws = null;
      if (this.closed || this.links.get(link.id) !== link) return;
      const delay = backoffMs(link.attempt++, RECONNECT, this.backoffScale);
      link.retry = setTimeout(() => this.connect(link), delay);
      this.report(link.lastError || 'connection closed');
    });
  }

  /** 'live' while any socket is open (or none is wanted); 'down' only when a failure leaves none open. */
  private report(failure?: string): void {
    const anyOpen = [...this.links.values()].some((l) => l.ws?.readyState === WebSocket.OPEN);
    const next = anyOpen || this.links.size === 0 ? 'live' : failure !== undefined ? 'down' : null;
    if (!next || next === this.reported) return;
    this.reported = next;
    this.events.state(next, next === 'down' ? `Assistify WebSocket: ${failure}` : undefined);
  }
}
