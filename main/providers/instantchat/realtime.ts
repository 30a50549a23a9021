// InstantChat's socket.io channel: `message`, `flow_executed` and `instagram_connected` events, with the
// JWT in `auth.token`. socket.io-client retries transport failures itself; a rejected handshake (expired
// token) or a server-side disconnect stops it, and then we log in again if needed and reconnect with backoff.
import { io, type Socket } from 'socket.io-client';
import { id, isObj, obj } from '../parse';
import type { RealtimeEvent, RealtimeHandlers } from '../types';
import { toConversation, toMessage } from './mapping';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export interface RealtimeAuth {
  current(): Promise<string>;
  /** Forget the current token and log in again. */
  renew(): Promise<unknown>;
}

/** Doc silent on the payload: the message (optionally under `message`) with its conversationId, and
 *  optionally the conversation as the list endpoint shows it. Anything less asks the engine to resync. */
export function messageEvent(data: unknown): RealtimeEvent {
  const d = obj(data);
  const m = isObj(d.message) ? d.message : d;
  const conversation = isObj(d.conversation) ? toConversation(d.conversation) : null;
  const convId = id(d.conversationId ?? m.conversationId) ?? conversation?.externalId;
  if (!convId || !id(m.id ?? m._id)) return { kind: 'resync' };
  return {
    kind: 'message',
    message: toMessage(m, convId),
    ...(conversation?.externalId === convId ? { conversation } : {}),
  };
}

const isAuthError = (err: Error) => /auth|token|jwt|unauthori[sz]ed/i.test(err.message);

/** Connects and keeps the link up until the returned function is called. */
export function openRealtime(baseUrl: string, auth: RealtimeAuth, h: RealtimeHandlers): () => void {
  const url = new URL(baseUrl);
  const socket: Socket = io(url.origin, {
    // Doc silent: socket.io is served on the API's origin under the default /socket.io path.
    path: `${url.pathname.replace(/\/+$/, '')}/socket.io`,
    auth: (cb) =>
      void auth.current().then(
        (token) => cb({ token }),
        () => cb({ token: '' }),
      ),
    reconnectionDelay: FIRST_RETRY_MS,
    reconnectionDelayMax: MAX_RETRY_MS,
  });
  let state: 'live' | 'down' | null = null;
  let retries = 0;
  let everConnected = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const setState = (next: 'live' | 'down', reason?: string) => {
    if (closed || next === state) return;
    state = next;
    h.onState(next, reason);
  };

  const reconnectLater = (renewToken: boolean) => {
    if (closed) return;
    clearTimeout(timer);
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** retries++) * (0.5 + Math.random() / 2);
    timer = setTimeout(async () => {
      if (renewToken) await auth.renew().catch((e: Error) => setState('down', `login failed: ${e.message}`));
      if (!closed) socket.connect();
    }, delay);
  };

  socket.on('connect', () => {
    retries = 0;
    setState('live');
    // Messages may have arrived while we were away.
    if (everConnected) h.onEvent({ kind: 'resync' });
    everConnected = true;
  });
  socket.on('disconnect', (reason) => {
    setState('down', reason);
    if (reason === 'io server disconnect') reconnectLater(false);
  });
  socket.on('connect_error', (err) => {
    setState('down', err.message);
    if (!socket.active) reconnectLater(isAuthError(err));
  });
  socket.on('message', (data: unknown) => h.onEvent(messageEvent(data)));
  // A flow run may have written to customers, and a (re)connected Instagram account may bring new threads.
  socket.on('flow_executed', () => h.onEvent({ kind: 'resync' }));
  socket.on('instagram_connected', () => h.onEvent({ kind: 'resync' }));

  return () => {
    closed = true;
    clearTimeout(timer);
    socket.removeAllListeners();
    socket.disconnect();
  };
}
