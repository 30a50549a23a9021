// The socket.io link to the local API: server events in, and whether the link is up right now.
import { io, type Socket } from 'socket.io-client';
import { create } from 'zustand';
import type { ServerEvents } from '@contract/schemas';
import type { ClientEvents, TeamServerEvents } from '@contract/teamEvents';
import type { Connection } from './connection';

export type EventSocket = Socket<ServerEvents & TeamServerEvents, ClientEvents>;

export type LinkState = 'connecting' | 'up' | 'lost';

interface LinkStore {
  state: LinkState;
  /** Bumped on every reconnect so views can refetch what they may have missed. */
  reconnects: number;
}

export const useLinkStore = create<LinkStore>(() => ({ state: 'connecting', reconnects: 0 }));

export function connectSocket(connection: Connection): EventSocket {
  const socket: EventSocket = io(connection.apiUrl, {
    auth: { token: connection.token },
    transports: ['websocket', 'polling'],
    reconnectionDelayMax: 5000,
  });
  let wasUp = false;
  socket.on('connect', () => {
    useLinkStore.setState((s) => ({ state: 'up', reconnects: wasUp ? s.reconnects + 1 : s.reconnects }));
    wasUp = true;
  });
  socket.on('disconnect', () => useLinkStore.setState({ state: 'lost' }));
  socket.on('connect_error', () => useLinkStore.setState({ state: 'lost' }));
  return socket;
}
