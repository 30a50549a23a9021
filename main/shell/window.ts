// The one app window: locked-down web preferences, remembered bounds, close hides to the tray.
import { BrowserWindow, screen, type NativeImage } from 'electron';
import { DEFAULT_SIZE, MIN_SIZE, visibleBounds, type WindowStateStore } from './window-state';

export interface MainWindowOptions {
  preloadPath: string;
  icon: NativeImage;
  stateStore: WindowStateStore;
  /** False while quitting: then closing really closes. */
  hideOnClose: () => boolean;
}

const SAVE_DELAY_MS = 500;

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const remembered = o.stateStore.get();
  const bounds = visibleBounds(
    remembered.bounds,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(bounds ?? DEFAULT_SIZE),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Agent Inbox',
    icon: o.icon,
    webPreferences: {
      preload: o.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  });
  if (remembered.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  let saveTimer: NodeJS.Timeout | null = null;
  const saveNow = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (win.isDestroyed() || win.isMinimized()) return;
    o.stateStore.update({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  };
  const saveSoon = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, SAVE_DELAY_MS);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('maximize', saveSoon);
  win.on('unmaximize', saveSoon);

  win.on('close', (event) => {
    saveNow();
    if (o.hideOnClose()) {
      event.preventDefault();
      win.hide();
    }
  });
  return win;
}

/** Show, restore and focus the window (tray click, second launch, notification click). */
export function revealWindow(win: BrowserWindow): void {
  if (win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
