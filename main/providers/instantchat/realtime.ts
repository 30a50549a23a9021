// InstantChat's socket.io channel: `message`, `flow_executed` and `instagram_connected` events, with the
// JWT in `auth.token`. socket.io-client retries transport failures itself; a rejected handshake (expired
// token) or a server-side disconnect stops it, and then we log in again if needed and reconnect with backoff.
import { io, type Socket } from 'socket.io-client';
import { backoffMs, type BackoffCurve, type BackoffScale } from '../../domain/backoff';
import { id, isObj, obj } from '../parse';
import type { RealtimeEvent, RealtimeHandlers } from '../types';
import { messageDirection, toConversation, toMessage } from './mapping';

const RECONNECT: BackoffCurve = { firstMs: 500, maxMs: 30_000 };

export interface RealtimeAuth {
  current(): Promise<string>;
  /** Forget the current token and log in again. */
  renew(): Promise<unknown>;
}

/** What the connector knows that places a message event in its conversation. */
export interface EventContext {
  /** The connected Instagram account's username, when known. */
  pageUsername: string | null;
  /** The conversation whose customer has this username, when exactly one listed thread does. */
  threadOf(username: string): string | null;
}

/** What placed a message event in its conversation; null: nothing did, the engine re-reads instead. */
export type Placement = 'conversationId' | 'sender' | null;

/**
 * Doc silent on the payload. Read: the message as the messages list shows it (optionally under `message`),
 * with a `conversationId` and the conversation as the list shows it when the payload has them. Without a
 * conversationId, a customer's message is placed by its sender, which the document's example shows to be
 * the thread's username. The message id must be there too: only the list's id keeps the event and the
 * listed copy one message. Anything less asks the engine to resync.
 */
export function messageEvent(
  data: unknown,
  ctx: EventContext,
): { event: RealtimeEvent; placedBy: Placement } {
  const d = obj(data);
  const m = isObj(d.message) ? d.message : d;
  const conversation = isObj(d.conversation) ? toConversation(d.conversation) : null;
  const named = id(d.conversationId ?? m.conversationId) ?? conversation?.externalId ?? null;
  const customer = messageDirection(m, ctx.pageUsername).direction === 'in' ? id(m.sender) : null;
  const convId = named ?? (customer === null ? null : ctx.threadOf(customer));
  if (!convId || !id(m.id ?? m._id)) return { event: { kind: 'resync' }, placedBy: null };
  return {
    event: {
      kind: 'message',
      message: toMessage(m, convId, ctx.pageUsername),
      ...(conversation?.externalId === convId ? { conversation } : {}),
    },
    placedBy: named ? 'conversationId' : 'sender',
  };
}

/** What the connector does with the documented events beyond the engine's handlers. */
export interface SocketHooks {
  /** A `message` event's payload, as the event to hand to the engine. */
  message(data: unknown): RealtimeEvent;
  /** `instagram_connected` arrived (its payload is not documented). */
  instagramConnected(): void;
}

const isAuthError = (err: Error) => /auth|token|jwt|unauthori[sz]ed/i.test(err.message);

/** Connects and keeps the link up until the returned function is called. */
export function openRealtime(
  baseUrl: string,
  auth: RealtimeAuth,
  h: RealtimeHandlers,
  hooks: SocketHooks,
  backoffScale: BackoffScale = 1,
): () => void {
  const url = new URL(baseUrl);
  const socket: Socket = io(url.origin, {
    // Doc silent: socket.io is served on the API's origin under the default /socket.io path.
    path: `${url.pathname.replace(/\/+$/, '')}/socket.io`,
    auth: (cb) =>
      void auth.current().then(
        (token) => cb({ token }),
        () => cb({ token: '' }),
      ),
    reconnectionDelay: RECONNECT.firstMs * backoffScale,
    reconnectionDelayMax: RECONNECT.maxMs * backoffScale,
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
    const delay = backoffMs(retries++, RECONNECT, backoffScale);
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
  socket.on('message', (data: unknown) => h.onEvent(hooks.message(data)));
  // A flow run may have written to customers, and a (re)connected Instagram account may bring new threads.
  socket.on('flow_executed', () => h.onEvent({ kind: 'resync' }));
  socket.on('instagram_connected', () => {
    hooks.instagramConnected();
    h.onEvent({ kind: 'resync' });
  });

  return () => {
    closed = true;
    clearTimeout(timer);
    socket.removeAllListeners();
    socket.disconnect();
  };
}
