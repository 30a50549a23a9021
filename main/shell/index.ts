// Electron main entry: single instance, core first, then the desktop (window, tray, notifications).
//   --demo                 wire the demo workspace (first run)
//   AGENT_INBOX_DATA=DIR   user data directory (default: <appData>/agent-inbox); the core's data is in DIR/inbox
//   AGENT_INBOX_TEST=1     expose the e2e test hook (./test-hook.ts)
//   AGENT_INBOX_LOG_LEVEL  debug, info (default), warn or error, for DIR/logs/agent-inbox.log
import { app, dialog } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core';
import { createLogger, type Logger } from '../log';
import { startDesktop, type Desktop } from './desktop';
import { electronSqliteBinding } from './native-binding';
import { createSecretBox } from './secrets';

const APP_ID = 'app.agentinbox.desktop';
/** Fixed, so the packaged app ("Agent Inbox"), `npm start` and web mode share one data directory. */
const DATA_DIR_NAME = 'agent-inbox';

// Before the lock: the lock is per user data directory.
app.setPath('userData', resolve(process.env.AGENT_INBOX_DATA || join(app.getPath('appData'), DATA_DIR_NAME)));

if (app.requestSingleInstanceLock()) {
  // What support asks for: <userData>/logs/agent-inbox.log (rotated at 5 MB, three files kept).
  const log = createLogger({ dir: join(app.getPath('userData'), 'logs'), stdout: !app.isPackaged });
  log.info({ version: app.getVersion(), platform: process.platform, arch: process.arch }, 'starting');
  void main(log).catch((error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log.error({ err: error }, 'failed to start');
    dialog.showErrorBox('Agent Inbox could not start', detail);
    app.exit(1);
  });
} else {
  // The first instance gets 'second-instance' and comes to the front.
  app.quit();
}

async function main(log: Logger): Promise<void> {
  let quitting = false;
  let core: Core | null = null;
  let desktop: Desktop | null = null;

  app.on('second-instance', () => desktop?.secondInstance());
  app.on('activate', () => desktop?.reveal());
  app.on('before-quit', () => {
    quitting = true;
  });
  // Closing the window hides it; the tray keeps the app running until Quit.
  app.on('window-all-closed', () => undefined);
  app.on('will-quit', (event) => {
    if (!core) return;
    event.preventDefault();
    desktop?.dispose();
    const closing = core;
    core = null;
    void closing.close().finally(() => app.exit(0));
  });

  await app.whenReady();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  const userData = app.getPath('userData');
  // Not userData itself: that is also web mode's default data directory, whose credentials are
  // encrypted with a key file, not safeStorage; sharing it would leave one side unable to decrypt.
  const dataDir = join(userData, 'inbox');
  const appRoot = app.getAppPath();
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  core = await createCore({
    dataDir,
    port: 0,
    secrets: createSecretBox(dataDir, log),
    demo: process.argv.includes('--demo'),
    sqliteBinding: electronSqliteBinding(appRoot),
    log,
    // Served by the local API so the page shares its origin: the CSP and the API's origin check allow nothing else.
    rendererDir: join(outDir, 'renderer'),
  });
  desktop = startDesktop({
    core,
    userData,
    appRoot,
    preloadPath: join(outDir, 'preload', 'index.cjs'),
    isQuitting: () => quitting,
    testMode: process.env.AGENT_INBOX_TEST === '1',
    log,
  });
}
