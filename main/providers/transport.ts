// One HTTP exchange with a provider over node:http(s) with keep-alive sockets. A sync reads thousands of pages:
// the global fetch spent about twice the CPU per request (WHATWG streams, signals, Headers), which made the HTTP
// client the largest cost of ingest after SQLite.
import http from 'node:http';
import https from 'node:https';

export interface RawResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
}

/** Why an exchange ended without a response; `detail` is the socket's own words for 'network'. */
export class TransportError extends Error {
  constructor(
    readonly reason: 'network' | 'timeout' | 'cancelled' | 'too_large' | 'dropped',
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
  }
}

// Idle sockets are unref'd by the agent, so a pool never holds the process open.
const plain = { request: http.request, agent: new http.Agent({ keepAlive: true, maxSockets: 16 }) };
const secure = { request: https.request, agent: new https.Agent({ keepAlive: true, maxSockets: 16 }) };

export function exchange(url: URL, r: RawRequest): Promise<RawResponse> {
  const { request, agent } = url.protocol === 'https:' ? secure : plain;
  return new Promise((resolve, reject) => {
    let settled = false;
    let answered = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      r.signal.removeEventListener('abort', onAbort);
      finish();
    };
    const fail = (e: TransportError) => {
      settle(() => reject(e));
      req.destroy();
    };
    const onAbort = () => fail(new TransportError('cancelled'));
    const timer = setTimeout(() => fail(new TransportError('timeout')), r.timeoutMs);
    const headers =
      r.body === undefined
        ? r.headers
        : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
    const req = request(url, { method: r.method, headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes > r.maxBytes) fail(new TransportError('too_large'));
        else chunks.push(c);
      });
      res.on('error', () => fail(new TransportError('dropped')));
      res.on('end', () => {
        const raw = res.headers;
        const get = (name: string) => {
          const v = raw[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        };
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: { get },
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A kept-alive socket the provider closed just as we picked it: the request never reached the provider,
      // so it is sent again on a fresh socket, whatever its method.
      if (!settled && !answered && req.reusedSocket && e.code === 'ECONNRESET') {
        settle(() => exchange(url, r).then(resolve, reject));
        return;
      }
      settle(() => reject(new TransportError(answered ? 'dropped' : 'network', e.code ?? e.message)));
    });
    if (r.signal.aborted) return onAbort();
    r.signal.addEventListener('abort', onAbort, { once: true });
    req.end(r.body);
  });
}
