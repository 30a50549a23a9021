// Electron's security checklist applied to the session and every web contents. The rules themselves
// are in ./web-security.ts, the CSP (the one the local API sends too) in ../contract/csp.ts.
import { app, session, shell, type Session, type WebContents } from 'electron';
import { contentSecurityPolicy } from '../contract/csp';
import { externalHttpUrl, isPermissionAllowed, isSameOrigin } from './web-security';

/** The whole checklist: the default session hardened, and every web contents guarded as it is created. */
export function secureApp(apiOrigin: string): void {
  hardenSession(session.defaultSession, apiOrigin);
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, apiOrigin));
}

/** CSP as a response header with the real API origin, and permissions denied by default. */
export function hardenSession(session: Session, apiOrigin: string): void {
  const csp = contentSecurityPolicy({ apiOrigin });
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl, apiOrigin)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, apiOrigin),
  );
  session.setDevicePermissionHandler(() => false);
}

/** No navigation away from the app, no new windows, no webviews; http(s) links go to the system browser. */
export function guardWebContents(contents: WebContents, apiOrigin: string): void {
  const keepInApp = (event: Electron.Event, url: string) => {
    if (isSameOrigin(url, apiOrigin)) return;
    event.preventDefault();
    openInBrowser(url);
  };
  contents.on('will-navigate', (event) => keepInApp(event, event.url));
  contents.on('will-redirect', (event) => {
    if (!isSameOrigin(event.url, apiOrigin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Only http(s) URLs ever reach the OS; file:, javascript:, custom schemes are dropped. */
export function openInBrowser(url: unknown): void {
  const safe = externalHttpUrl(url);
  if (safe) void shell.openExternal(safe);
}
