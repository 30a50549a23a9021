// The Electron-ABI build of better-sqlite3 made by scripts/postinstall.mjs, kept beside the Node build
// so tests (Node) and the app (Electron) run from one install without rebuilding back and forth.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ELECTRON_SQLITE_BINDING = join('.native', 'electron', 'better_sqlite3.node');

/** Path of the Electron-ABI binding under the app root, if built; native files load from app.asar.unpacked. */
export function electronSqliteBinding(appRoot: string): string | undefined {
  const path = join(appRoot.replace(/app\.asar$/, 'app.asar.unpacked'), ELECTRON_SQLITE_BINDING);
  return existsSync(path) ? path : undefined;
}
