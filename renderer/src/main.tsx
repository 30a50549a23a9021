// Entry point: find the local API (Electron bridge or web-mode token), connect, render.
// First import: it starts the inbox's first request before the rest of the bundle is evaluated.
import { api, connection, firstInboxPage } from './app/startup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client';
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

/** The longest the first render waits for the inbox's first page. */
const FIRST_PAGE_WAIT_MS = 150;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The inbox's list attaches to the request already under way (same key) instead of asking again.
if (firstInboxPage) {
  const { key, page } = firstInboxPage;
  void queryClient.prefetchInfiniteQuery({
    queryKey: key,
    queryFn: () => page,
    initialPageParam: null as string | null,
  });
}

const root = createRoot(document.getElementById('root')!);

if (!connection || !api) {
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
  const session = { connection, api, socket: connectSocket(connection) };
  const render = () =>
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <SessionProvider session={session}>
            <App />
          </SessionProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  // The first render waits a little for the inbox's first page, so it paints the rows at once instead of a
  // skeleton and then the rows (the page comes over loopback, usually while this bundle is being evaluated).
  if (firstInboxPage)
    void Promise.race([firstInboxPage.page.catch(() => null), delay(FIRST_PAGE_WAIT_MS)]).then(render);
  else render();
}
