// Where the local API lives and how to authenticate: the Electron preload bridge when present,
// otherwise web mode (same origin, token handed over once in the URL fragment).
import type { AgentInboxBridge } from '../../../preload/bridge';

export interface Connection {
  apiUrl: string;
  token: string;
  bridge: AgentInboxBridge | null;
}

const TOKEN_KEY = 'agent-inbox.token';

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
  const bridge = window.agentInbox;
  if (bridge?.apiUrl && bridge.token)
    return { apiUrl: bridge.apiUrl.replace(/\/$/, ''), token: bridge.token, bridge };
  const token = takeTokenFromFragment() ?? sessionStorage.getItem(TOKEN_KEY);
  return token ? { apiUrl: location.origin, token, bridge: null } : null;
}

/** Opens a link outside the app: through the shell inside Electron, a new tab in web mode. */
export function openExternal(connection: Connection, url: string): void {
  if (connection.bridge) connection.bridge.openExternal(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}
