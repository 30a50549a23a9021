// The security and layer rules of eslint.config.js fire on code that breaks them (and not on the code as
// it is), so a rule that stops matching cannot pass unnoticed.
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The messages of the rules this file is about, for `code` linted as if it were the file at `file`. */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages
    .filter((m) => ['no-restricted-imports', 'no-restricted-syntax', 'no-console'].includes(m.ruleId ?? ''))
    .map((m) => m.message);
}

const expectFlagged = async (file: string, code: string, message: RegExp) =>
  expect(await problems(file, code), `${file}: ${code}`).toEqual(
    expect.arrayContaining([expect.stringMatching(message)]),
  );
const expectClean = async (file: string, code: string) =>
  expect(await problems(file, code), `${file}: ${code}`).toEqual([]);

describe('only the shell and the preload import electron', () => {
  const onlyShell = /Only main\/shell\/ and preload\/ may import electron/;

  it('in any form, anywhere else', async () => {
    for (const file of ['main/core.ts', 'main/api/x.ts', 'renderer/src/x.tsx', 'test/unit/x.test.ts']) {
      await expectFlagged(file, "import { app } from 'electron';\nvoid app;", onlyShell);
      await expectFlagged(file, "import { app } from 'electron/main';\nvoid app;", onlyShell);
      await expectFlagged(file, "const e = require('electron');\nvoid e;", onlyShell);
      await expectFlagged(file, "export const e = await import('electron');", onlyShell);
    }
  });

  it('but other packages named electron-something are fine, and the shell may', async () => {
    await expectClean('scripts/x.ts', "import b from 'electron-builder';\nvoid b;");
    await expectClean('main/shell/x.ts', "import { app } from 'electron';\nvoid app;");
    await expectClean('preload/x.ts', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;");
  });

  it('and the shell imports it by name, statically', async () => {
    const byName = /Import electron's members by name/;
    await expectFlagged('main/shell/x.ts', "import * as electron from 'electron';\nvoid electron;", byName);
    await expectFlagged('main/shell/x.ts', "import electron from 'electron';\nvoid electron;", byName);
    await expectFlagged('preload/x.ts', "const e = require('electron');\nvoid e;", byName);
  });
});

describe('web preferences', () => {
  const win = (prefs: string) =>
    `import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { ${prefs} } });`;

  it('may not be weakened, nor set from a variable', async () => {
    for (const [prefs, message] of [
      ['contextIsolation: false', /always the literal true/],
      ['sandbox: false', /always the literal true/],
      ["'webSecurity': false", /always the literal true/],
      ['sandbox: process.env.X === "1"', /always the literal true/],
      ['nodeIntegration: true', /always the literal false/],
      ['nodeIntegrationInWorker: true', /always the literal false/],
      ['nodeIntegrationInSubFrames: !0', /always the literal false/],
      ['allowRunningInsecureContent: true', /always the literal false/],
      ['experimentalFeatures: true', /always the literal false/],
      ['webviewTag: true', /always the literal false/],
      ['enableRemoteModule: false', /No remote module/],
      ["additionalArguments: ['--token=x']", /additionalArguments/],
    ] as const) {
      await expectFlagged('main/shell/window.ts', win(prefs), message);
      await expectFlagged('preload/index.ts', `export const p = { ${prefs} };`, message);
    }
  });

  it('accepts the window as it is', async () => {
    const source = fs.readFileSync(path.join(ROOT, 'main/shell/window.ts'), 'utf8');
    await expectClean('main/shell/window.ts', source);
  });

  it('are only set by the window factory: no other file creates a window', async () => {
    const factory = /Create windows only in main\/shell\/window.ts/;
    await expectFlagged('main/shell/desktop.ts', win('sandbox: true'), factory);
    await expectFlagged(
      'main/shell/tray.ts',
      "import { BrowserView } from 'electron';\nexport const v = new BrowserView();",
      factory,
    );
    await expectClean('main/shell/window.ts', win('sandbox: true'));
  });
});

describe('the shell reaches the OS and the renderer through one place each', () => {
  it('only security.ts may use electron shell (openInBrowser checks the scheme)', async () => {
    const code = "import { shell } from 'electron';\nvoid shell.openExternal('file:///etc/passwd');";
    await expectFlagged('main/shell/desktop.ts', code, /Only main\/shell\/security.ts opens URLs/);
    await expectClean('main/shell/security.ts', code);
  });

  it('only ipc.ts listens to the renderer, and never with ipcMain.handle', async () => {
    const on = "import { ipcMain } from 'electron';\nipcMain.on('x', () => undefined);";
    await expectFlagged('main/shell/desktop.ts', on, /Only main\/shell\/ipc.ts listens/);
    await expectClean('main/shell/ipc.ts', on);
    await expectFlagged(
      'main/shell/ipc.ts',
      "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 'token');",
      /through ipcMain.on/,
    );
  });
});

describe('the preload', () => {
  it('reads nothing from the command line', async () => {
    await expectFlagged(
      'preload/index.ts',
      'export const a = process.argv.at(-1);',
      /nothing from the command line/,
    );
  });

  it('keeps bridge.ts to type imports (the renderer imports it)', async () => {
    await expectFlagged(
      'preload/bridge.ts',
      "import { IPC } from './channels';\nvoid IPC;",
      /use `import type`/,
    );
    await expectClean(
      'preload/bridge.ts',
      "import type { BridgeConfig } from './channels';\nexport type C = BridgeConfig;",
    );
  });
});

describe('logging', () => {
  it('goes through the logger in main/, and only command-line tools print', async () => {
    for (const file of ['main/core.ts', 'main/shell/desktop.ts', 'main/outbox/dispatcher.ts'])
      await expectFlagged(file, "console.warn('x');", /Unexpected console statement/);
    await expectClean('main/cli/web.ts', "console.log('Agent Inbox web mode on ...');");
    await expectClean('test/unit/x.test.ts', "console.log('x');");
  });
});

describe('the layers of main/', () => {
  const imports = (from: string) => `import { x } from '${from}';\nvoid x;`;

  it('each layer keeps the base rules: electron only in the shell, better-sqlite3 only in main/db', async () => {
    const layers = [
      'main/domain/x.ts',
      'main/contract/x.ts',
      'main/channels/x.ts',
      'main/sync/x.ts',
      'hub/x.ts',
    ];
    for (const file of [...layers, 'main/db/x.ts', 'renderer/src/x.ts'])
      await expectFlagged(file, "import { app } from 'electron/main';\nvoid app;", /Only main\/shell\//);
    for (const file of [...layers, 'renderer/src/x.ts'])
      await expectFlagged(file, "import D from 'better-sqlite3';\nvoid D;", /SQL lives in main\/db\//);
  });

  it('only main/api speaks HTTP: services and storage never import it', async () => {
    const onlyApi = /Only main\/api\/ speaks HTTP: below it, throw a DomainError/;
    for (const file of [
      'main/channels/service.ts',
      'main/flows/service.ts',
      'main/broadcasts/service.ts',
      'main/notifications/tray.ts',
      'main/sync/channelSync.ts',
      'main/outbox/dispatcher.ts',
      'main/db/conversations.ts',
      'main/db/migrations/001_x.ts',
    ]) {
      const up = file.split('/').length - 2;
      await expectFlagged(file, imports(`${'../'.repeat(up)}api/errors`), onlyApi);
      await expectFlagged(file, `export { x } from '${'../'.repeat(up)}api';`, onlyApi);
    }
    await expectClean('main/channels/service.ts', imports('../domain/errors'));
    await expectClean('main/api/handlers.ts', imports('./errors'));
    await expectClean('main/core.ts', imports('./api/server'));
  });

  it('main/db never imports the connectors: shared shapes live in main/domain', async () => {
    const noProviders = /main\/db\/ never imports main\/providers\//;
    await expectFlagged('main/db/messages.ts', imports('../providers/types'), noProviders);
    await expectFlagged('main/db/migrations/009_x.ts', imports('../../providers/types'), noProviders);
    await expectClean('main/db/messages.ts', imports('../domain/remote'));
    await expectClean('main/db/database.ts', "import Database from 'better-sqlite3';\nvoid Database;");
  });

  it('main/sync and main/outbox reach storage through the interface, never main/db', async () => {
    const noDb = /reach storage through the interface in main\/domain\/storage.ts/;
    await expectFlagged('main/sync/channelSync.ts', imports('../db/syncWriter'), noDb);
    await expectFlagged('main/outbox/dispatcher.ts', imports('../db'), noDb);
    await expectClean('main/outbox/dispatcher.ts', imports('../domain/storage'));
    await expectClean('main/channels/service.ts', imports('../db/channels'));
  });

  it('main/domain is the bottom layer: it imports only main/domain', async () => {
    const bottom = /main\/domain\/ is the bottom layer/;
    for (const from of ['../contract/schemas', '../db', '../providers/types', '../events', '../../main/log'])
      await expectFlagged('main/domain/entities.ts', imports(from), bottom);
    await expectClean('main/domain/errors.ts', imports('./entities'));
    await expectClean('main/domain/errors.ts', "import { z } from 'zod';\nvoid z;");
  });

  it('main/contract, which the renderer bundles, imports only main/contract and main/domain', async () => {
    const pure = /The renderer bundles main\/contract\//;
    for (const from of ['../db/json', '../providers/parse', '../notifications/tray', '../log'])
      await expectFlagged('main/contract/schemas.ts', imports(from), pure);
    await expectClean('main/contract/schemas.ts', imports('../domain/entities'));
    await expectClean('main/contract/routes.ts', imports('./schemas'));
  });

  it('the renderer reaches main/ only through @contract', async () => {
    const onlyContract = /The renderer reaches main\/ only through @contract/;
    for (const from of ['../../../main/notifications/tray', '../../../main/contract/schemas', '../../main'])
      await expectFlagged('renderer/src/app/x.ts', imports(from), onlyContract);
    await expectClean('renderer/src/app/x.ts', imports('@contract/notificationPolicy'));
    const webAlerts = fs.readFileSync(path.join(ROOT, 'renderer/src/app/webAlerts.ts'), 'utf8');
    await expectClean('renderer/src/app/webAlerts.ts', webAlerts);
    await expectClean('renderer/src/app/x.ts', imports('../api/keys'));
  });

  it('the hub reuses connectors, contract and sync, never the desktop shell or main/db', async () => {
    const noDesktop = /The hub never imports the desktop shell \(main\/shell\/\) or SQLite storage/;
    await expectFlagged('hub/server.ts', imports('../main/shell/desktop'), noDesktop);
    await expectFlagged('hub/storage/pg.ts', imports('../../main/db'), noDesktop);
    for (const from of [
      '../main/providers/registry',
      '../main/contract/schemas',
      '../main/sync/channelSync',
      './db',
    ])
      await expectClean('hub/server.ts', imports(from));
  });
});
