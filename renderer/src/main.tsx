// Entry point: find the local API (Electron bridge or web-mode token), connect, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError, createApiClient } from './api/client';
import { resolveConnection } from './api/connection';
import { SessionProvider } from './api/session';
import { connectSocket } from './api/socket';
import { App } from './app/App';
import { applyRememberedTheme } from './features/settings/useTheme';
import './styles.css';

applyRememberedTheme();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a dropped connection might.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
    mutations: { retry: false },
  },
});

const root = createRoot(document.getElementById('root')!);
const connection = resolveConnection();

if (!connection) {
  root.render(
    <div className="signed-out">
      <h1>Agent Inbox</h1>
      <p>This page has no access token, so it cannot talk to the local service.</p>
      <p>
        Open Agent Inbox from the desktop app, or in web mode use the <code>appUrl</code> from the data
        directory&apos;s <code>server.json</code> — it signs you in.
      </p>
    </div>,
  );
} else {
  const session = { connection, api: createApiClient(connection), socket: connectSocket(connection) };
  root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <SessionProvider session={session}>
          <App />
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
