// npm postinstall. Never fails the install and stays quick offline; prints one line per thing it skips.
//  1. Electron's binary: when missing, try Electron's own installer once with a short timeout.
//  2. better-sqlite3 for Electron: when the binary is there, build an Electron-ABI copy into
//     .native/electron/better_sqlite3.node (from a copy of the package, so the Node build used by the
//     tests stays intact). The desktop shell passes that file as better-sqlite3's `nativeBinding`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = join(ROOT, 'node_modules');
const ELECTRON_DIR = join(MODULES, 'electron');
const SQLITE_DIR = join(MODULES, 'better-sqlite3');
const NATIVE_DIR = join(ROOT, '.native', 'electron');
const BINDING = join(NATIVE_DIR, 'better_sqlite3.node');
const STAMP = join(NATIVE_DIR, 'stamp.json');
const BUILD_DIR = join(ROOT, '.native', 'build', 'better-sqlite3');

const INSTALL_TIMEOUT_MS = 20_000;
const PREBUILT_TIMEOUT_MS = 60_000;
const COMPILE_TIMEOUT_MS = 10 * 60_000;
const CHECK_TIMEOUT_MS = 20_000;

const say = (line) => console.log(line);

/** The Electron executable if its binary is installed, else null. */
function electronBinary() {
  try {
    const relativePath = readFileSync(join(ELECTRON_DIR, 'path.txt'), 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(ELECTRON_DIR, 'dist');
    const binary = join(dist, relativePath);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const versionOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;

function run(command, args, { cwd, timeout, env = process.env }) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    timeout,
    killSignal: 'SIGKILL',
    stdio: 'pipe',
    encoding: 'utf8',
  });
  if (result.error)
    return { ok: false, why: result.error.code === 'ETIMEDOUT' ? 'timed out' : result.error.message };
  if (result.status !== 0)
    return { ok: false, why: failureReason(`${result.stderr}\n${result.stdout}`, result.status) };
  return { ok: true };
}

function failureReason(output, status) {
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network connectivity/.test(output)) {
    return 'Electron headers or prebuilt binary could not be fetched (offline?)';
  }
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^gyp (info|http)/.test(l));
  return lines.find((l) => /error/i.test(l))?.slice(0, 160) ?? `exit code ${status}`;
}

function ensureElectronBinary() {
  if (!existsSync(join(ELECTRON_DIR, 'install.js'))) return null;
  const present = electronBinary();
  if (present) return present;
  if (!process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    run(process.execPath, ['install.js'], { cwd: ELECTRON_DIR, timeout: INSTALL_TIMEOUT_MS });
    const installed = electronBinary();
    if (installed) return installed;
  }
  say('electron: binary not downloaded (offline?) — desktop app unavailable, `npm start` will use web mode');
  return null;
}

/** npm passes its config to scripts as npm_config_*; a nodedir/target meant for Node must not leak into an Electron build. */
function electronBuildEnv(electronVersion) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|build_from_source)$/i.test(key))
      delete env[key];
  }
  return {
    ...env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: 'https://electronjs.org/headers',
  };
}

/** Loads the new binding inside Electron (as Node) and opens an in-memory database with it. */
function checkBinding(electron, candidate) {
  const script = `const D = require(${JSON.stringify(SQLITE_DIR)}); new D(':memory:', { nativeBinding: ${JSON.stringify(candidate)} }).prepare('select 1').get();`;
  return run(electron, ['-e', script], {
    cwd: ROOT,
    timeout: CHECK_TIMEOUT_MS,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

function buildElectronSqlite(electron) {
  if (!existsSync(SQLITE_DIR)) return;
  const electronVersion = versionOf(ELECTRON_DIR);
  const arch = process.env.npm_config_arch || process.arch;
  const stamp = JSON.stringify({
    electron: electronVersion,
    betterSqlite3: versionOf(SQLITE_DIR),
    platform: process.platform,
    arch,
  });
  if (existsSync(BINDING) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) return;

  rmSync(BUILD_DIR, { recursive: true, force: true });
  // dereference: node_modules/better-sqlite3 may be a symlink (workspaces, pnpm); a linked "copy" would
  // let node-gyp's clean step wipe the Node build we are keeping intact.
  cpSync(SQLITE_DIR, BUILD_DIR, {
    recursive: true,
    dereference: true,
    filter: (src) => relative(SQLITE_DIR, src) !== 'build',
  });
  if (realpathSync(BUILD_DIR) === realpathSync(SQLITE_DIR))
    throw new Error('the build copy of better-sqlite3 is not a copy');
  const env = electronBuildEnv(electronVersion);

  // A prebuilt binary for this Electron is a few seconds; compiling SQLite is minutes.
  const prebuilt = join(MODULES, 'prebuild-install', 'bin.js');
  let result = existsSync(prebuilt)
    ? run(
        process.execPath,
        [prebuilt, '--runtime', 'electron', '--target', electronVersion, '--arch', arch],
        {
          cwd: BUILD_DIR,
          timeout: PREBUILT_TIMEOUT_MS,
          env,
        },
      )
    : { ok: false, why: 'prebuild-install not installed' };
  if (!result.ok) {
    result = run(
      process.execPath,
      [
        join(MODULES, 'node-gyp', 'bin', 'node-gyp.js'),
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${arch}`,
        '--dist-url=https://electronjs.org/headers',
      ],
      { cwd: BUILD_DIR, timeout: COMPILE_TIMEOUT_MS, env },
    );
  }
  const built = join(BUILD_DIR, 'build', 'Release', 'better_sqlite3.node');
  if (result.ok && !existsSync(built)) result = { ok: false, why: 'no better_sqlite3.node was produced' };
  if (result.ok) result = checkBinding(electron, built);
  if (result.ok) {
    mkdirSync(NATIVE_DIR, { recursive: true });
    cpSync(built, BINDING);
    writeFileSync(STAMP, stamp);
  }
  rmSync(join(ROOT, '.native', 'build'), { recursive: true, force: true });
  if (!result.ok) {
    // A binding left from an older Electron would crash the app; none gives a clear error instead.
    rmSync(join(ROOT, '.native'), { recursive: true, force: true });
    say(
      `better-sqlite3: Electron build skipped: ${result.why} — rerun \`node scripts/postinstall.mjs\` online for the desktop app`,
    );
  }
}

try {
  const electron = ensureElectronBinary();
  if (electron) buildElectronSqlite(electron);
} catch (error) {
  say(`postinstall: skipped (${error instanceof Error ? error.message : String(error)})`);
}
process.exit(0);
