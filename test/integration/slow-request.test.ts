// A request must arrive whole (headers and body) within the request timeout, however steadily its bytes
// trickle in; a slow handler is not cut off by it; and the server holds a bounded number of connections.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { statusOf, startRecordingServer, type RecordingServer } from '../helpers/raw-http';

const TIMEOUT_MS = 1_500;
const TOKEN = 'gate-test-token';

let rec: RecordingServer | undefined;
afterEach(async () => {
  await rec?.server.close();
  rec = undefined;
});

interface Trickle {
  status: number;
  text: string;
  closedAfterMs: number;
}

/** Send `head` at once, then one byte of `rest` every `everyMs` until the server closes the connection. */
function trickle(port: number, head: string, rest: string, everyMs: number): Promise<Trickle> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < rest.length && socket.writable) socket.write(rest[sent++]);
    }, everyMs);
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: statusOf(text), text, closedAfterMs: Date.now() - started });
    });
  });
}

const previewHead = (port: number, length: number) =>
  [
    'POST /api/v1/broadcasts/preview HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    `Authorization: Bearer ${TOKEN}`,
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    '',
    '',
  ].join('\r\n');

describe('slow requests', () => {
  it('answers 408 and closes when a body trickles in past the request timeout', async () => {
    rec = await startRecordingServer({ requestTimeoutMs: TIMEOUT_MS });
    const res = await trickle(rec.server.port, previewHead(rec.server.port, 4000), 'x'.repeat(4000), 200);
    expect(res.status).toBe(408);
    expect(res.text).toContain('"timeout"');
    expect(res.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(res.closedAfterMs).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(rec.calls).toEqual([]);
  });

  it('answers 408 when the headers themselves trickle in', async () => {
    rec = await startRecordingServer({ requestTimeoutMs: TIMEOUT_MS });
    const head = previewHead(rec.server.port, 2);
    const res = await trickle(rec.server.port, head.slice(0, 10), head.slice(10), 200);
    expect(res.status).toBe(408);
    expect(res.closedAfterMs).toBeLessThan(TIMEOUT_MS + 1_500);
  });

  it('does not cut off a handler that takes longer than the request timeout', async () => {
    rec = await startRecordingServer({
      requestTimeoutMs: 500,
      handlers: new Proxy({} as never, {
        get: () => () => new Promise((r) => setTimeout(() => r({ items: [] }), 1_500)),
      }),
    });
    const head = [
      'GET /api/v1/channels HTTP/1.1',
      `Host: 127.0.0.1:${rec.server.port}`,
      `Authorization: Bearer ${TOKEN}`,
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    const res = await trickle(rec.server.port, head, '', 1_000);
    expect(res.status).toBe(200);
  });

  it('caps open connections', async () => {
    rec = await startRecordingServer({ maxConnections: 3 });
    const port = rec.server.port;
    const open = await Promise.all([1, 2, 3].map(() => connected(port)));
    const extra = await connected(port);
    const closed = await new Promise<boolean>((resolve) => {
      extra.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    expect(closed).toBe(true);
    for (const s of open) expect(s.destroyed).toBe(false);
    for (const s of open) s.destroy();
  });
});

function connected(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  });
}
