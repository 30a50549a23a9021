// Wires a running core to the desktop: window, bridge, tray, notifications. Every decision is made by
// the plain modules in main/notifications and ./web-security; this file only connects them.
import { app, net, type BrowserWindow } from 'electron';
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Core } from '../core';
import type { Logger } from '../log';
import type { Message, ServerEvents } from '../contract/schemas';
import type { TeamServerEvents } from '../contract/teamEvents';
import { Directory } from '../contract/notificationDirectory';
import {
  conversationHash,
  conversationIdFromUrl,
  NotificationPolicy,
  type DesktopNotification,
  type ViewState,
} from '../contract/notificationPolicy';
import { buildTrayModel, dndUntilFor, type TrayAction } from '../notifications/tray';
import { LocalApiClient } from './api-client';
import { registerBridge } from './ipc';
import { DesktopNotifier } from './notifier';
import { openInBrowser, secureApp } from './security';
import { installTestHook } from './test-hook';
import { loadIcon, TrayView } from './tray';
import { createMainWindow, revealWindow } from './window';
import { WindowStateStore } from './window-state';

export interface DesktopOptions {
  core: Core;
  /** Where window-state.json lives. */
  userData: string;
  /** Folder holding package.json (or app.asar when packaged). */
  appRoot: string;
  preloadPath: string;
  isQuitting: () => boolean;
  testMode: boolean;
  log: Logger;
}

export interface Desktop {
  reveal(): void;
  /** Another launch was attempted; it has exited and this instance comes to the front. */
  secondInstance(): void;
  dispose(): void;
}

const TRAY_REFRESH_DELAY_MS = 250;
/** Re-render the tray now and then so "do not disturb (until …)" lapses without an event. */
const TRAY_TICK_MS = 30_000;
const LOGIN_ITEMS_SUPPORTED = process.platform === 'darwin' || process.platform === 'win32';

export function startDesktop(o: DesktopOptions): Desktop {
  const { core } = o;
  const apiOrigin = new URL(core.url).origin;
  const resourcesDir = join(o.appRoot, 'resources');
  const appIcon = loadIcon(resourcesDir, 'icon');
  const api = new LocalApiClient(core.url, core.token);

  secureApp(apiOrigin);

  const stateStore = new WindowStateStore(join(o.userData, 'window-state.json'), o.log);
  const win = createMainWindow({
    preloadPath: o.preloadPath,
    icon: appIcon,
    stateStore,
    hideOnClose: () => !o.isQuitting(),
  });

  const load = (url: string) =>
    win.webContents.loadURL(url).catch((error: unknown) => {
      // A newer navigation (another notification click) aborts the previous one: not a failure.
      if (!String(error).includes('ERR_ABORTED'))
        o.log.error({ err: error, url }, 'could not load the app page');
    });
  const openConversation = (conversationId: string | null) => {
    revealWindow(win);
    void load(`${apiOrigin}/${conversationHash(conversationId)}`);
  };
  const onNotificationClick = (n: DesktopNotification) => openConversation(n.conversationId);
  const hook = o.testMode ? installTestHook(onNotificationClick) : null;
  const notifier = new DesktopNotifier(appIcon, onNotificationClick);
  const show = (n: DesktopNotification) => {
    hook?.notifications.push(n);
    notifier.show(n);
  };
  const policy = new NotificationPolicy({
    clock: { now: () => Date.now() },
    settings: () => core.settings(),
    view: () => viewOf(win),
    show,
  });

  let syncPaused = core.syncPaused();
  watchConnectivity(core);
  if (LOGIN_ITEMS_SUPPORTED) app.setLoginItemSettings({ openAtLogin: stateStore.get().openAtLogin });
  const renderTray = () => {
    const model = buildTrayModel({
      ...core.counts(),
      dndUntil: core.settings().dndUntil,
      paused: syncPaused,
      openAtLogin: LOGIN_ITEMS_SUPPORTED ? stateStore.get().openAtLogin : null,
      now: Date.now(),
    });
    if (hook) hook.trayModel = model;
    trayView.render(model);
  };
  let trayRefresh: NodeJS.Timeout | null = null;
  const refreshTraySoon = () => {
    trayRefresh ??= setTimeout(() => {
      trayRefresh = null;
      renderTray();
    }, TRAY_REFRESH_DELAY_MS);
  };
  const setDnd = (dndUntil: string | null) =>
    api
      .patchSettings({ dndUntil })
      .then(renderTray, (error: unknown) => o.log.warn({ err: error }, 'could not set do not disturb'));
  const onTrayAction = (action: TrayAction) => {
    switch (action) {
      case 'open':
        return revealWindow(win);
      case 'dnd-1h':
      case 'dnd-tomorrow':
        return void setDnd(dndUntilFor(action, Date.now()));
      case 'dnd-off':
        return void setDnd(null);
      case 'toggle-pause':
        syncPaused = !syncPaused;
        renderTray();
        return void core
          .setSyncPaused(syncPaused)
          .catch((error: unknown) => o.log.warn({ err: error }, 'could not pause or resume sync'));
      case 'toggle-login': {
        const openAtLogin = !stateStore.get().openAtLogin;
        app.setLoginItemSettings({ openAtLogin });
        stateStore.update({ openAtLogin });
        return renderTray();
      }
      case 'quit':
        return app.quit();
    }
  };
  const trayView = new TrayView(resourcesDir, onTrayAction);
  renderTray();
  const trayTick = setInterval(renderTray, TRAY_TICK_MS);

  const directory = new Directory(api);
  const notifyIfWanted = async (message: Message) => {
    if (policy.screen(message)) return;
    const incoming = await directory.describe(message);
    if (incoming) policy.offer(incoming);
  };
  const unsubscribe = [
    onCoreEvent(core.events, 'message.created', (m) => {
      refreshTraySoon();
      void notifyIfWanted(m);
    }),
    onCoreEvent(core.events, 'message.updated', refreshTraySoon),
    onCoreEvent(core.events, 'conversation.updated', (c) => {
      directory.rememberConversation(c);
      refreshTraySoon();
    }),
    onCoreEvent(core.events, 'channel.updated', (c) => directory.rememberChannel(c)),
    onCoreEvent(core.events, 'outbox.updated', refreshTraySoon),
    onCoreEvent(core.events, 'team.alert', (a) => policy.offerTeam(a)),
  ];

  registerBridge({
    config: { apiUrl: core.url, token: core.token },
    contents: () => (win.isDestroyed() ? null : win.webContents),
    notify: (request) => {
      const n = policy.direct(request);
      if (n) show(n);
    },
    setBadge: (count) => app.setBadgeCount(count),
    focus: () => revealWindow(win),
    openExternal: openInBrowser,
  });

  // The core is open, so the window shows the cached inbox at once while sync runs in the background.
  void load(`${apiOrigin}/`);

  return {
    reveal: () => revealWindow(win),
    secondInstance: () => {
      if (hook) hook.secondInstances += 1;
      revealWindow(win);
    },
    dispose: () => {
      for (const off of unsubscribe) off();
      clearInterval(trayTick);
      if (trayRefresh) clearTimeout(trayRefresh);
      policy.dispose();
      trayView.destroy();
    },
  };
}

function viewOf(win: BrowserWindow): ViewState {
  if (win.isDestroyed()) return { focused: false, openConversationId: null };
  return {
    focused: win.isVisible() && !win.isMinimized() && win.isFocused(),
    openConversationId: conversationIdFromUrl(win.webContents.getURL()),
  };
}

type ShellEvents = ServerEvents & TeamServerEvents;

function onCoreEvent<K extends keyof ShellEvents>(
  events: EventEmitter,
  name: K,
  listener: ShellEvents[K],
): () => void {
  events.on(name, listener);
  return () => events.off(name, listener);
}

const CONNECTIVITY_CHECK_MS = 5_000;

/** The OS's online/offline signal: when the network comes back, replies waiting in the outbox go at once. */
function watchConnectivity(core: Core): void {
  let online = net.isOnline();
  const timer = setInterval(() => {
    const now = net.isOnline();
    if (now !== online) core.setNetworkOnline(now);
    online = now;
  }, CONNECTIVITY_CHECK_MS);
  timer.unref();
}
