// The WebSocket behind GET /websocket/open: connects with the API key, reports live/down, reconnects with
// backoff, and keeps the link honest with ping/pong. The document does not say whether the endpoint
// upgrades or answers where to connect, so both work: a 200 JSON answer carrying a ws URL on the same host
// is followed once.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { backoffMs, type BackoffCurve, type BackoffScale } from '../../domain/backoff';
import { isObj, obj, str } from '../parse';

export interface LinkOptions {
  url: string;
  headers: Record<string, string>;
  onFrame(frame: unknown): void;
  onState(state: 'live' | 'down', reason?: string): void;
  /** Tests: shortens the reconnect backoff (default 1). */
  backoffScale?: BackoffScale;
}

const MAX_FRAME = 1_000_000;
const HEARTBEAT_MS = 25_000;
const RECONNECT: BackoffCurve = { firstMs: 500, maxMs: 30_000 };

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => resolve(text);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 64_000) res.destroy();
    });
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
    setTimeout(done, 2000).unref();
  });
}

/** The ws URL inside a JSON answer (`{data: {url}}` and similar), if it points at the same host. */
function followUrl(body: string, from: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const data = isObj(parsed) && isObj(parsed.data) ? parsed.data : obj(parsed);
  const raw = str(data.url ?? data.ws_url ?? data.websocket_url, '', 2000);
  try {
    const u = new URL(raw);
    if (u.hostname !== new URL(from).hostname || !['ws:', 'wss:', 'http:', 'https:'].includes(u.protocol))
      return null;
    u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
    return u.toString();
  } catch {
    return null;
  }
}

export class RealtimeLink {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private state: 'live' | 'down' | null = null;
  private stopped = false;

  constructor(private readonly o: LinkOptions) {}

  start(): void {
    this.connect(this.o.url, true);
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.terminate();
    this.ws = null;
  }

  private report(state: 'live' | 'down', reason?: string): void {
    if (this.stopped || state === this.state) return;
    this.state = state;
    this.o.onState(state, reason);
  }

  private connect(url: string, mayFollow: boolean): void {
    const ws = new WebSocket(url, {
      headers: this.o.headers,
      handshakeTimeout: 10_000,
      maxPayload: MAX_FRAME,
    });
    this.ws = ws;
    let ended = false;
    const lost = (reason: string) => {
      if (ended) return;
      ended = true;
      ws.terminate();
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.report('down', reason);
      this.scheduleReconnect();
    };
    let alive = true;
    ws.on('open', () => {
      this.attempt = 0;
      this.report('live');
      this.heartbeat = setInterval(() => {
        if (!alive) return lost('no answer to ping');
        alive = false;
        ws.ping();
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data) => {
      alive = true;
      try {
        this.o.onFrame(JSON.parse(String(data)));
      } catch {
        // Not JSON: nothing the inbox can use.
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      void readBody(res).then((body) => {
        if (ended) return;
        const next = res.statusCode === 200 && mayFollow ? followUrl(body, url) : null;
        if (next) {
          ended = true;
          ws.terminate();
          return this.connect(next, false);
        }
        lost(`GET /websocket/open answered HTTP ${res.statusCode}${body ? ': ' + body.slice(0, 200) : ''}`);
      });
    });
    ws.on('error', (e) => lost(e.message));
    ws.on('close', (code) => lost(`connection closed (${code})`));
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffMs(this.attempt++, RECONNECT, this.o.backoffScale);
    this.retry = setTimeout(() => this.connect(this.o.url, true), delay);
    this.retry.unref();
  }
}
