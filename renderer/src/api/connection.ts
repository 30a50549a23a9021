// Where the local API lives and how to authenticate: the Electron preload bridge when present,
// otherwise web mode (same origin, token handed over once in the URL fragment).

/** The part of the preload bridge the renderer relies on; every native call is optional. */
export interface NativeBridge {
  apiUrl: string;
  token: string;
  openExternal?: (url: string) => void;
}

export interface Connection {
  apiUrl: string;
  token: string;
  bridge: NativeBridge | null;
}

const TOKEN_KEY = 'agent-inbox.token';

function readBridge(): NativeBridge | null {
  const bridge = (window as unknown as { agentInbox?: NativeBridge }).agentInbox;
  return bridge && typeof bridge.apiUrl === 'string' && typeof bridge.token === 'string' ? bridge : null;
}

/** Takes `#token=...` out of the address bar (it must not linger in history) and keeps it for reloads. */
function takeTokenFromFragment(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (!token) return null;
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}

export function resolveConnection(): Connection | null {
  const bridge = readBridge();
  if (bridge) return { apiUrl: bridge.apiUrl.replace(/\/$/, ''), token: bridge.token, bridge };
  const token = takeTokenFromFragment() ?? sessionStorage.getItem(TOKEN_KEY);
  return token ? { apiUrl: location.origin, token, bridge: null } : null;
}

/** Opens a link outside the app: through the shell inside Electron, a new tab in web mode. */
export function openExternal(connection: Connection, url: string): void {
  if (connection.bridge?.openExternal) connection.bridge.openExternal(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}
