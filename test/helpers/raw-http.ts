// A local API server with stand-in handlers that only record being called, and raw HTTP over a TCP
// socket, so tests control the request line byte for byte (node:http would normalise it).
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Handlers } from '../../main/api/plugins/contract';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../main/api/server';

export interface RecordingServer {
  server: ApiServer;
  /** Handler (or "webhook") names in the order they were called. */
  calls: string[];
}

export async function startRecordingServer(extra: Partial<ApiServerOptions> = {}): Promise<RecordingServer> {
  const calls: string[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: (_target, name) => () => {
      calls.push(String(name));
      return { items: [], nextCursor: null };
    },
  });
  const server = await startApiServer({
    port: 0,
    token: 'gate-test-token',
    version: 'test',
    handlers,
    events: new EventEmitter(),
    onWebhook: () => {
      calls.push('webhook');
      return { status: 200 };
    },
    ...extra,
  });
  return { server, calls };
}

export interface RawResponse {
  /** 0 when the connection closed without an answer. */
  status: number;
  text: string;
}

/** Write `request` as is, read until the server closes the connection (or `timeoutMs` passes). */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5_000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: statusOf(text), text });
    };
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

export function statusOf(text: string): number {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return m ? Number(m[1]) : 0;
}
