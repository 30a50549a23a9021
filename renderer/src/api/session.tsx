// The signed-in link to the local API, shared with every component through context.
import { createContext, useContext, type ReactNode } from 'react';
import type { ApiClient } from './client';
import type { Connection } from './connection';
import type { EventSocket } from './socket';

export interface Session {
  connection: Connection;
  api: ApiClient;
  socket: EventSocket;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export const useApi = (): ApiClient => useSession().api;
