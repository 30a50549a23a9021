// The main-process side of the preload bridge. Every message is checked to come from the app's own
// page (main frame, API origin) before anything is done with it.
import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import type { BridgeNotification } from '../../preload/bridge';
import { IPC, type BridgeConfig } from '../../preload/channels';
import { parseBadgeCount, parseBridgeNotification } from './bridge-input';
import { isSameOrigin } from './web-security';

export interface BridgeHandlers {
  config: BridgeConfig;
  /** The app window's contents: the only sender trusted. */
  contents: () => WebContents | null;
  notify(notification: BridgeNotification): void;
  setBadge(count: number): void;
  focus(): void;
  openExternal(url: unknown): void;
}

export function registerBridge(h: BridgeHandlers): void {
  const apiOrigin = new URL(h.config.apiUrl).origin;
  const trusted = (event: IpcMainEvent) => {
    const frame = event.senderFrame;
    return (
      event.sender === h.contents() &&
      frame !== null &&
      frame.parent === null &&
      isSameOrigin(frame.url, apiOrigin)
    );
  };

  ipcMain.on(IPC.config, (event) => {
    event.returnValue = trusted(event) ? h.config : null;
  });
  ipcMain.on(IPC.notify, (event, value: unknown) => {
    const notification = trusted(event) ? parseBridgeNotification(value) : null;
    if (notification) h.notify(notification);
  });
  ipcMain.on(IPC.setBadge, (event, value: unknown) => {
    const count = trusted(event) ? parseBadgeCount(value) : null;
    if (count !== null) h.setBadge(count);
  });
  ipcMain.on(IPC.focus, (event) => {
    if (trusted(event)) h.focus();
  });
  ipcMain.on(IPC.openExternal, (event, url: unknown) => {
    if (trusted(event)) h.openExternal(url);
  });
}
