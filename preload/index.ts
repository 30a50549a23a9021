// Sandboxed preload: exposes the typed bridge of ./bridge.ts and nothing else. The API URL and token
// come over a synchronous IPC (not additionalArguments, which would put the token on the renderer's
// command line where other local users can read it).
import { contextBridge, ipcRenderer } from 'electron';
import type { AgentInboxBridge, BridgeNotification } from './bridge';
import { IPC, type BridgeConfig } from './channels';

const config = ipcRenderer.sendSync(IPC.config) as BridgeConfig | null;

if (config) {
  const bridge: AgentInboxBridge = {
    apiUrl: config.apiUrl,
    token: config.token,
    notify: (n: BridgeNotification) =>
      ipcRenderer.send(IPC.notify, { title: n.title, body: n.body, conversationId: n.conversationId }),
    setBadge: (count: number) => ipcRenderer.send(IPC.setBadge, count),
    focus: () => ipcRenderer.send(IPC.focus),
    openExternal: (url: string) => ipcRenderer.send(IPC.openExternal, url),
  };
  contextBridge.exposeInMainWorld('agentInbox', bridge);
}
