// The desktop shell end to end: the built app (out/) in real Electron, driven by Playwright, with a
// temporary data directory and the provider simulators on loopback. Runs where the Electron binary,
// its better-sqlite3 build and a display exist; anywhere else it is skipped, loudly.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../main/contract/schemas';
import type { AgentInboxBridge } from '../../preload/bridge';
import type { Simulators } from '../../main/providers/simulators';
import type { ShellTestHook } from '../../main/shell/test-hook';
import { skipSuite } from '../helpers/skips';

const ROOT = join(__dirname, '..', '..');

/** What the page functions below touch in the renderer (this project is typed without the DOM lib). */
interface RendererGlobals {
  agentInbox?: AgentInboxBridge;
  require?: unknown;
  process?: unknown;
  open(url: string): unknown;
  document: {
    getElementById(id: string): { childElementCount: number } | null;
    addEventListener(
      type: 'securitypolicyviolation',
      fn: (e: { effectiveDirective: string }) => void,
      o: { once: true },
    ): void;
  };
}

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

function skipReason(): string | null {
  if (!binary)
    return 'Electron binary not installed (node_modules/electron/dist is missing; offline install?)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display (run under xvfb-run on Linux CI)';
  }
  if (
    !existsSync(join(ROOT, 'out', 'main', 'index.js')) ||
    !existsSync(join(ROOT, 'out', 'renderer', 'index.html'))
  ) {
    return 'app not built (run `npm run build` first)';
  }
  if (!existsSync(join(ROOT, '.native', 'electron', 'better_sqlite3.node'))) {
    return 'better-sqlite3 has no Electron build (run `node scripts/postinstall.mjs` online)';
  }
  return null;
}

const SUITE = 'Electron desktop shell';
// The Electron binary cannot be had on every machine (offline installs); once it is there, .ci/run provides
// the display and the build, so under CI any other reason to skip fails the run.
const skip = skipSuite(SUITE, skipReason(), { requiredInCi: binary !== null });

// Chromium refuses to start as root with its OS sandbox (CI containers); the renderer's own
// `sandbox: true` web preference is unaffected.
const chromiumArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];

function launch(userData: string): Promise<ElectronApplication> {
  return _electron.launch({
    executablePath: binary ?? undefined,
    args: [...chromiumArgs, ROOT],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), AGENT_INBOX_TEST: '1', AGENT_INBOX_DATA: userData },
    timeout: 60_000,
  });
}

/** The recorded state of the shell's test hook (its functions stay in the main process). */
type HookState = Pick<ShellTestHook, 'notifications' | 'trayModel' | 'secondInstances'>;

const hookOf = (app: ElectronApplication): Promise<HookState> =>
  app.evaluate(() => {
    const hook = globalThis.__agentInboxTest;
    if (!hook) throw new Error('the shell test hook is not installed (AGENT_INBOX_TEST=1)');
    return {
      notifications: hook.notifications,
      trayModel: hook.trayModel,
      secondInstances: hook.secondInstances,
    };
  });

const windowState = (app: ElectronApplication) =>
  app.evaluate(({ BrowserWindow }) => {
    const [win] = BrowserWindow.getAllWindows();
    return { visible: win.isVisible(), destroyed: win.isDestroyed(), bounds: win.getBounds() };
  });

async function api<T>(page: Page, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const { apiUrl, token } = await page.evaluate(() => {
    const bridge = (globalThis as unknown as RendererGlobals).agentInbox!;
    return { apiUrl: bridge.apiUrl, token: bridge.token };
  });
  const res = await fetch(`${apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe.skipIf(skip)(SUITE, () => {
  let userData: string;
  let app: ElectronApplication;
  let page: Page;
  let sims: Simulators;

  beforeAll(async () => {
    userData = mkdtempSync(join(tmpdir(), 'agent-inbox-e2e-'));
    const { startSimulators } = await import('../../main/providers/simulators');
    sims = await startSimulators({ port: 0 });
    app = await launch(userData);
    page = await app.firstWindow();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  afterAll(async () => {
    await app?.close();
    await sims?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('shows the inbox served by the local API, with only the bridge exposed', async () => {
    expect(new URL(page.url()).hostname).toBe('127.0.0.1');
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as RendererGlobals).document.getElementById('root')?.childElementCount ?? 0) >
        0,
      null,
      { timeout: 30_000 },
    );
    const exposed = await page.evaluate(() => {
      const w = globalThis as unknown as RendererGlobals;
      return {
        bridge: Object.keys(w.agentInbox ?? {}).sort(),
        require: typeof w.require,
        process: typeof w.process,
      };
    });
    expect(exposed).toEqual({
      bridge: ['apiUrl', 'focus', 'notify', 'openExternal', 'setBadge', 'token'],
      require: 'undefined',
      process: 'undefined',
    });
  });

  it('enforces the CSP and blocks new windows', async () => {
    const violated = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const w = globalThis as unknown as RendererGlobals;
          w.document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), {
            once: true,
          });
          fetch('https://example.com/').catch(() => undefined);
        }),
    );
    expect(violated).toBe('connect-src');
    expect(
      await page.evaluate(() => (globalThis as unknown as RendererGlobals).open('about:blank') === null),
    ).toBe(true);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('builds the tray menu from the core counts', async () => {
    const { trayModel } = await hookOf(app);
    expect(trayModel).not.toBeNull();
    const labels = trayModel!.items.flatMap((i) => ('label' in i ? [i.label] : []));
    expect(labels[0]).toBe('Open Agent Inbox');
    expect(labels.at(-1)).toBe('Quit Agent Inbox');
    expect(labels).toContain('Pause sync');
    expect(trayModel!.icon).toBe(trayModel!.badgeCount > 0 ? 'tray-unread' : 'tray');
  });

  it('notifies a new customer message and opens its conversation when clicked', async () => {
    const chatpion = sims.providers().find((p) => p.provider === 'chatpion')!;
    const channel = await api<Channel>(page, '/api/v1/channels', {
      method: 'POST',
      body: {
        provider: 'chatpion',
        name: 'E2E Chatpion',
        baseUrl: chatpion.baseUrl,
        credentials: chatpion.credentials,
      },
    });
    await expect
      .poll(
        async () =>
          (await api<{ items: Channel[] }>(page, '/api/v1/channels')).items.find((c) => c.id === channel.id)
            ?.status,
        {
          timeout: 30_000,
        },
      )
      .toMatch(/^(live|polling)$/);

    const text = `Hello from the Electron e2e test ${Date.now()}`;
    sims.kits.chatpion.sim.inbound({ contact: { name: 'Erin Electron' }, text });
    await expect
      .poll(async () => (await hookOf(app)).notifications.findIndex((n) => n.body === text), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(0);

    const { notifications } = await hookOf(app);
    const index = notifications.findIndex((n) => n.body === text);
    const notification = notifications[index];
    expect(notification).toMatchObject({ kind: 'message', title: 'Erin Electron · E2E Chatpion' });
    expect(notification.conversationId).toBeTruthy();

    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].hide());
    await app.evaluate((_electron, i) => globalThis.__agentInboxTest!.clickNotification(i), index);
    await expect
      .poll(() => page.url())
      .toContain(`#/inbox/${encodeURIComponent(notification.conversationId!)}`);
    expect((await windowState(app)).visible).toBe(true);
  });

  it('hides to the tray on close, and a second launch brings the first back', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].close());
    expect(await windowState(app)).toMatchObject({ visible: false, destroyed: false });

    const second = spawn(binary!, [...chromiumArgs, ROOT], {
      cwd: ROOT,
      env: { ...process.env, AGENT_INBOX_TEST: '1', AGENT_INBOX_DATA: userData },
      stdio: 'ignore',
    });
    const exitCode = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(exitCode).toBe(0);

    await expect.poll(async () => (await hookOf(app)).secondInstances).toBe(1);
    expect((await windowState(app)).visible).toBe(true);
  });

  it('remembers the window size across restarts', async () => {
    await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()[0].setBounds({ width: 980, height: 640 }),
    );
    await app.close();
    const saved = JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8')) as {
      bounds: { width: number; height: number };
    };
    expect(saved.bounds).toMatchObject({ width: 980, height: 640 });

    app = await launch(userData);
    page = await app.firstWindow();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect((await windowState(app)).bounds).toMatchObject({ width: 980, height: 640 });
  });
});
