// The only thing the renderer gets from the desktop shell: `window.agentInbox`. Types only, so the
// renderer can import this file without pulling in Electron. In a plain browser (web mode) the bridge
// is absent, hence the optional property.

export interface BridgeNotification {
  title: string;
  body: string;
  /** Clicking the notification opens this conversation. */
  conversationId?: string;
}

export interface AgentInboxBridge {
  /** Base URL of the local API, e.g. http://127.0.0.1:43121 */
  readonly apiUrl: string;
  /** Bearer token for the local API and its socket.io endpoint. */
  readonly token: string;
  /** A desktop notification; the shell drops it during do-not-disturb or quiet hours. */
  notify(notification: BridgeNotification): void;
  /** Unread count for the dock/taskbar badge and the tray. */
  setBadge(count: number): void;
  /** Bring the window to the front. */
  focus(): void;
  /** Open an http(s) link in the system browser; anything else is ignored. */
  openExternal(url: string): void;
}

declare global {
  interface Window {
    agentInbox?: AgentInboxBridge;
  }
}
