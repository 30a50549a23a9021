// Who may call a server on loopback: the local API's Host and Origin rules, shared by the simulators' control
// API. Only the server's own loopback address as Host (a DNS-rebound name is refused), and no Origin but its
// own (a page elsewhere cannot call it; a request without Origin, from curl or a test, is no browser's).
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

export const loopbackHosts = (port: number) =>
  new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);

export const loopbackOrigins = (port: number) =>
  new Set([...loopbackHosts(port)].map((host) => `http://${host}`));

export interface LoopbackRefusal {
  code: 'forbidden_host' | 'forbidden_origin';
  message: string;
}

/** Why a request to the loopback server on `port` is refused, or null when it may proceed. */
export function loopbackRefusal(headers: IncomingHttpHeaders, port: number): LoopbackRefusal | null {
  if (!loopbackHosts(port).has(headers.host ?? ''))
    return {
      code: 'forbidden_host',
      message: 'Requests must address this server by 127.0.0.1, localhost or [::1] and its port',
    };
  if (headers.origin !== undefined && !loopbackOrigins(port).has(headers.origin))
    return { code: 'forbidden_origin', message: 'Cross-origin requests are not allowed' };
  return null;
}

/** The port `server` listens on, read once it is asked (a request can only arrive once it listens). */
export function listeningPort(server: Server): () => number {
  let port: number | undefined;
  return () => (port ??= (server.address() as AddressInfo).port);
}
