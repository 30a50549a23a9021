// npm start [-- --demo]: the desktop app when Electron can run here, otherwise web mode in the browser.
//   Desktop: build (electron-vite) when out/ is missing or older than the sources, then launch Electron.
//   Web:     build the renderer when needed, run main/cli/web.ts on a free loopback port (it prints the URL to
//            open when stdout is a terminal), and open that URL in the default browser when there is a
//            desktop session and CI is not set.
// AGENT_INBOX_DATA picks the data directory (default: the desktop app's, e.g. ~/.config/agent-inbox).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = join(ROOT, 'node_modules');
const ELECTRON_DIR = join(MODULES, 'electron');
const SERVER_START_TIMEOUT_MS = 60_000;

const args = process.argv.slice(2);
const demo = args.includes('--demo');

const MAIN_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const RENDERER_OUTPUTS = ['out/renderer/index.html'];
const ALL_SOURCES = ['main', 'preload', 'renderer', 'resources', 'electron.vite.config.ts', 'package.json'];
const RENDERER_SOURCES = ['renderer', 'main/contract', 'electron.vite.config.ts', 'package.json'];

/** The Electron executable if its binary is installed, else null. */
function electronBinary() {
  try {
    const relativePath = readFileSync(join(ELECTRON_DIR, 'path.txt'), 'utf8').trim();
    const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(ELECTRON_DIR, 'dist'), relativePath);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Why the desktop app cannot run here, or null when it can. */
function desktopUnavailable(binary) {
  if (!binary)
    return 'Electron binary not installed (node_modules/electron/dist is missing; offline install?)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  if (!existsSync(join(ROOT, '.native', 'electron', 'better_sqlite3.node'))) {
    return 'better-sqlite3 has no Electron build (.native/electron; run `node scripts/postinstall.mjs` online)';
  }
  return null;
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry !== 'node_modules') newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function isStale(outputs, sources) {
  const paths = outputs.map((o) => join(ROOT, o));
  if (!paths.every((p) => existsSync(p))) return true;
  const oldestOutput = Math.min(...paths.map((p) => statSync(p).mtimeMs));
  return sources.some((s) => newestMtime(join(ROOT, s)) > oldestOutput);
}

function buildIfStale(outputs, sources) {
  if (!isStale(outputs, sources)) return;
  console.log('agent-inbox: building (electron-vite build)…');
  const build = spawnSync(
    process.execPath,
    [join(MODULES, 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Runs `child` to the end: signals are passed on, its exit code becomes ours. */
function attach(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function startDesktop(binary) {
  buildIfStale(MAIN_OUTPUTS, ALL_SOURCES);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  attach(spawn(binary, ['.', ...args], { cwd: ROOT, stdio: 'inherit', env }));
}

/** Where the desktop app keeps its data (Electron's userData for the app name), shared with web mode. */
function defaultDataDir() {
  if (process.env.AGENT_INBOX_DATA) return resolve(process.env.AGENT_INBOX_DATA);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'agent-inbox');
  if (process.platform === 'win32')
    return join(process.env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'agent-inbox');
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'agent-inbox');
}

/** CI=1 or CI=true (anything but empty, 0 or false). */
function underCi() {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && !['0', 'false'].includes(ci.toLowerCase());
}

/** A desktop session to open a browser in: always on macOS and Windows, a display on Linux; never under CI. */
function canOpenBrowser() {
  if (underCi()) return false;
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function openInBrowser(url, fallback) {
  const [command, commandArgs] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  const opener = spawn(command, commandArgs, { stdio: 'ignore', detached: true });
  opener.on('error', () => console.log(fallback));
  opener.unref();
}

async function waitForServerFile(file, since, child) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return null;
    try {
      if (statSync(file).mtimeMs >= since) return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Not written yet (or mid-write): poll again.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

async function startWeb() {
  buildIfStale(RENDERER_OUTPUTS, RENDERER_SOURCES);
  const dataDir = defaultDataDir();
  const since = Date.now() - 1_000;
  const webArgs = ['main/cli/web.ts', '--data-dir', dataDir, '--port', '0', ...(demo ? ['--demo'] : [])];
  const child = spawn(process.execPath, [join(MODULES, 'tsx', 'dist', 'cli.mjs'), ...webArgs], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  attach(child);

  const serverFile = join(dataDir, 'server.json');
  const server = await waitForServerFile(serverFile, since, child);
  if (!server?.appUrl) {
    if (child.exitCode === null) console.error(`agent-inbox: web mode did not write ${serverFile} in time`);
    return;
  }
  // The appUrl carries the session token: web.ts has printed it if stdout is a terminal (else where to find
  // it); here it is handed to the default browser when there is a desktop to show one.
  if (canOpenBrowser()) {
    openInBrowser(
      server.appUrl,
      `agent-inbox: could not open a browser; open the URL above, or the "appUrl" from ${serverFile}`,
    );
  }
}

const binary = electronBinary();
const unavailable = desktopUnavailable(binary);
if (unavailable) {
  console.log(`agent-inbox: ${unavailable}: starting web mode instead`);
  await startWeb();
} else {
  startDesktop(binary);
}
