// IPC channel names shared by the preload and the shell.
export const IPC = {
  /** Synchronous: answers { apiUrl, token } to the app's own window only. */
  config: 'agent-inbox:config',
  notify: 'agent-inbox:notify',
  setBadge: 'agent-inbox:set-badge',
  focus: 'agent-inbox:focus',
  openExternal: 'agent-inbox:open-external',
} as const;

export interface BridgeConfig {
  apiUrl: string;
  token: string;
}
