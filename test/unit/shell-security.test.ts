// The Electron shell's security behaviour, run everywhere (no Electron binary needed): the window factory,
// the session hardening, the navigation and permission guards and the bridge are called against a fake
// 'electron' and what they do is checked. Plus the pure rules they use. Rules about the source itself
// (only the shell imports electron, no other file creates a window, ...) are lint rules: see
// eslint.config.js and test/unit/lint-rules.test.ts.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentInboxBridge } from '../../preload/bridge';
import { IPC } from '../../preload/channels';
import { parseBadgeCount, parseBridgeNotification } from '../../main/shell/bridge-input';
import { registerBridge } from '../../main/shell/ipc';
import { guardWebContents, hardenSession, secureApp } from '../../main/shell/security';
import { createMainWindow } from '../../main/shell/window';
import type { WindowStateStore } from '../../main/shell/window-state';
import { externalHttpUrl, isPermissionAllowed, isSameOrigin, originOf } from '../../main/shell/web-security';
import { contentSecurityPolicy } from '../../main/contract/csp';

type Listener = (...args: unknown[]) => unknown;
// Electron's types, taken from the functions under test (only the shell may import 'electron').
type Session = Parameters<typeof hardenSession>[0];
type WebContents = Parameters<typeof guardWebContents>[0];
type MainWindowOptions = Parameters<typeof createMainWindow>[0];

/** What the code under test did to the fake 'electron'. */
const fake = vi.hoisted(() => ({
  windowOptions: [] as Record<string, unknown>[],
  openedExternally: [] as string[],
  appListeners: new Map<string, Listener>(),
  ipcListeners: new Map<string, Listener>(),
  defaultSession: null as unknown,
  bridgeConfig: null as unknown,
  exposed: [] as [string, unknown][],
  sentToMain: [] as unknown[][],
}));

vi.mock('electron', () => ({
  BrowserWindow: class {
    constructor(options: Record<string, unknown>) {
      fake.windowOptions.push(options);
    }
    maximize() {}
    once() {}
    on() {}
  },
  screen: { getAllDisplays: () => [] },
  shell: {
    openExternal: async (url: string) => {
      fake.openedExternally.push(url);
    },
  },
  app: { on: (name: string, fn: Listener) => fake.appListeners.set(name, fn) },
  session: {
    get defaultSession() {
      return fake.defaultSession;
    },
  },
  ipcMain: { on: (channel: string, fn: Listener) => fake.ipcListeners.set(channel, fn) },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.push([key, api]) },
  ipcRenderer: {
    sendSync: () => fake.bridgeConfig,
    send: (...args: unknown[]) => fake.sentToMain.push(args),
  },
}));

const API = 'http://127.0.0.1:43121';

beforeEach(() => {
  fake.windowOptions.length = 0;
  fake.openedExternally.length = 0;
  fake.appListeners.clear();
  fake.ipcListeners.clear();
  fake.exposed.length = 0;
  fake.sentToMain.length = 0;
});

/** A session that records the handlers hardenSession installs. */
function fakeSession() {
  const h: Record<string, Listener> = {};
  const session = {
    webRequest: { onHeadersReceived: (fn: Listener) => (h.headers = fn) },
    setPermissionRequestHandler: (fn: Listener) => (h.request = fn),
    setPermissionCheckHandler: (fn: Listener) => (h.check = fn),
    setDevicePermissionHandler: (fn: Listener) => (h.device = fn),
  };
  return { session: session as unknown as Session, handlers: h };
}

/** Web contents that record their listeners; emit() returns whether the event was prevented. */
function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: Listener = () => ({ action: 'allow' });
  const contents = {
    on: (name: string, fn: Listener) => listeners.set(name, fn),
    setWindowOpenHandler: (fn: Listener) => (openHandler = fn),
  } as unknown as WebContents;
  const emit = (name: string, url?: string) => {
    const event = { url, preventDefault: vi.fn() };
    listeners.get(name)?.(event, url);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { contents, emit, open: (url: string) => openHandler({ url }), listeners };
}

describe('the window', () => {
  it('is created with the renderer isolated: contextIsolation, sandbox, no Node, no webviews', () => {
    const stateStore = {
      get: () => ({ bounds: null, maximized: false, openAtLogin: false }),
      update: () => undefined,
    } as unknown as WindowStateStore;
    createMainWindow({
      preloadPath: '/app/out/preload/index.cjs',
      icon: {} as MainWindowOptions['icon'],
      stateStore,
      hideOnClose: () => true,
    });
    expect(fake.windowOptions).toHaveLength(1);
    // Exactly these: a new preference has to be added here, on purpose.
    expect(fake.windowOptions[0].webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
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
    });
  });
});

describe('the session', () => {
  it('is hardened, and every web contents guarded as it is created', () => {
    const { session, handlers } = fakeSession();
    fake.defaultSession = session;
    secureApp(API);
    expect(Object.keys(handlers).sort()).toEqual(['check', 'device', 'headers', 'request']);
    const c = fakeContents();
    fake.appListeners.get('web-contents-created')?.({}, c.contents);
    expect([...c.listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-navigate', 'will-redirect']);
  });

  it('sets the CSP as a response header, replacing any the page sent', () => {
    const { session, handlers } = fakeSession();
    hardenSession(session, API);
    const callback = vi.fn();
    handlers.headers(
      { responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] } },
      callback,
    );
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': [contentSecurityPolicy({ apiOrigin: API })],
      },
    });
    handlers.headers({}, callback);
    expect(callback).toHaveBeenLastCalledWith({
      responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy({ apiOrigin: API })] },
    });
  });

  it('denies permission requests and checks by default, and every device', () => {
    const { session, handlers } = fakeSession();
    hardenSession(session, API);
    const request = (permission: string, requestingUrl: string) => {
      const callback = vi.fn();
      handlers.request({}, permission, callback, { requestingUrl });
      return callback.mock.calls[0][0] as boolean;
    };
    expect(request('clipboard-sanitized-write', `${API}/`)).toBe(true);
    expect(request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(request('notifications', `${API}/`)).toBe(false);
    expect(request('media', `${API}/`)).toBe(false);
    expect(handlers.check({}, 'clipboard-sanitized-write', API)).toBe(true);
    expect(handlers.check({}, 'geolocation', API)).toBe(false);
    expect(handlers.check({}, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(handlers.device({ deviceType: 'usb', origin: API })).toBe(false);
  });
});

describe('navigation, new windows and webviews', () => {
  it('keeps navigation in the app by parsed origin; http(s) links go to the system browser', () => {
    const c = fakeContents();
    guardWebContents(c.contents, API);
    expect(c.emit('will-navigate', `${API}/#/inbox/c1`)).toBe(false);
    expect(c.emit('will-navigate', 'http://127.0.0.1:43121.evil.example/')).toBe(true);
    expect(c.emit('will-navigate', 'https://example.com/help')).toBe(true);
    expect(c.emit('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.emit('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(fake.openedExternally).toEqual(['https://example.com/help']);
  });

  it('refuses redirects away from the app', () => {
    const c = fakeContents();
    guardWebContents(c.contents, API);
    expect(c.emit('will-redirect', `${API}/index.html`)).toBe(false);
    expect(c.emit('will-redirect', 'https://evil.example/')).toBe(true);
    expect(fake.openedExternally).toEqual([]);
  });

  it('denies every window.open, opening only http(s) in the system browser', () => {
    const c = fakeContents();
    guardWebContents(c.contents, API);
    for (const url of [`${API}/`, 'https://example.com/', 'smb://host/share', 'file:///etc/passwd'])
      expect(c.open(url)).toEqual({ action: 'deny' });
    expect(fake.openedExternally).toEqual([`${API}/`, 'https://example.com/']);
  });

  it('refuses webviews', () => {
    const c = fakeContents();
    guardWebContents(c.contents, API);
    expect(c.emit('will-attach-webview')).toBe(true);
  });
});

describe('the bridge in the main process', () => {
  const config = { apiUrl: API, token: 'secret-token' };
  const h = {
    notify: vi.fn<(n: unknown) => void>(),
    setBadge: vi.fn<(n: number) => void>(),
    focus: vi.fn<() => void>(),
    openExternal: vi.fn<(url: unknown) => void>(),
  };
  const app = {} as WebContents;
  const mainFrame = (url: string) => ({ parent: null, url });
  /** The fields of an IpcMainEvent that registerBridge reads and writes. */
  type FakeEvent = { sender: unknown; senderFrame: unknown; returnValue: unknown };
  const event = (sender: unknown, senderFrame: unknown): FakeEvent => ({
    sender,
    senderFrame,
    returnValue: undefined,
  });
  const send = (e: FakeEvent, channel: string, ...args: unknown[]) =>
    fake.ipcListeners.get(channel)!(e, ...args);

  beforeEach(() => {
    for (const fn of Object.values(h)) fn.mockReset();
    registerBridge({ config, contents: () => app, ...h });
  });

  it('listens on exactly the bridge channels (with ipcMain.on: the fake has no handle)', () => {
    expect([...fake.ipcListeners.keys()].sort()).toEqual(Object.values(IPC).sort());
  });

  it('answers the app page', () => {
    const trusted = event(app, mainFrame(`${API}/#/inbox`));
    send(trusted, IPC.config);
    expect(trusted.returnValue).toEqual(config);
    send(trusted, IPC.notify, { title: 'Failed', body: 'x', extra: 'dropped' });
    send(trusted, IPC.setBadge, 3);
    send(trusted, IPC.focus);
    send(trusted, IPC.openExternal, 'https://example.com/');
    expect(h.notify).toHaveBeenCalledWith({ title: 'Failed', body: 'x' });
    expect(h.setBadge).toHaveBeenCalledWith(3);
    expect(h.focus).toHaveBeenCalledOnce();
    expect(h.openExternal).toHaveBeenCalledWith('https://example.com/');
  });

  it('drops malformed values even from the app page', () => {
    const trusted = event(app, mainFrame(`${API}/`));
    send(trusted, IPC.notify, { title: '', body: 5 });
    send(trusted, IPC.setBadge, '3');
    expect(h.notify).not.toHaveBeenCalled();
    expect(h.setBadge).not.toHaveBeenCalled();
  });

  it('ignores every other sender: another web contents, a subframe, another origin, no frame', () => {
    for (const untrusted of [
      event({}, mainFrame(`${API}/`)),
      event(app, { parent: {}, url: `${API}/` }),
      event(app, mainFrame('https://evil.example/')),
      event(app, mainFrame('http://127.0.0.1:43122/')),
      event(app, null),
    ]) {
      send(untrusted, IPC.config);
      expect(untrusted.returnValue).toBeNull();
      send(untrusted, IPC.notify, { title: 'x', body: 'y' });
      send(untrusted, IPC.setBadge, 1);
      send(untrusted, IPC.focus);
      send(untrusted, IPC.openExternal, 'https://example.com/');
    }
    for (const fn of [h.notify, h.setBadge, h.focus, h.openExternal]) expect(fn).not.toHaveBeenCalled();
  });
});

describe('the preload bridge', () => {
  const loadPreload = async () => {
    vi.resetModules();
    await import('../../preload/index');
  };

  it('exposes exactly one object, agentInbox, with the documented members and no Electron object', async () => {
    fake.bridgeConfig = { apiUrl: API, token: 'secret-token' };
    await loadPreload();
    expect(fake.exposed).toHaveLength(1);
    const [key, value] = fake.exposed[0];
    expect(key).toBe('agentInbox');
    const bridge = value as AgentInboxBridge;
    expect(Object.keys(bridge)).toEqual(['apiUrl', 'token', 'notify', 'setBadge', 'focus', 'openExternal']);
    expect(bridge).toMatchObject({ apiUrl: API, token: 'secret-token' });
    for (const member of Object.values(bridge)) expect(['string', 'function']).toContain(typeof member);
  });

  it('forwards each call on its own channel with only the documented fields', async () => {
    fake.bridgeConfig = { apiUrl: API, token: 'secret-token' };
    await loadPreload();
    const bridge = fake.exposed[0][1] as AgentInboxBridge;
    bridge.notify({ title: 't', body: 'b', conversationId: 'c1', extra: 'x' } as never);
    bridge.setBadge(2);
    bridge.focus();
    bridge.openExternal('https://example.com/');
    expect(fake.sentToMain).toEqual([
      [IPC.notify, { title: 't', body: 'b', conversationId: 'c1' }],
      [IPC.setBadge, 2],
      [IPC.focus],
      [IPC.openExternal, 'https://example.com/'],
    ]);
  });

  it('exposes nothing when the shell does not answer (a page other than the app)', async () => {
    fake.bridgeConfig = null;
    await loadPreload();
    expect(fake.exposed).toEqual([]);
  });
});

describe('CSP', () => {
  const csp = contentSecurityPolicy({ apiOrigin: 'http://127.0.0.1:43121' });
  const directive = (name: string) =>
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .find(([n]) => n === name)
      ?.slice(1);

  it('allows scripts, styles and connections from the local API origin only', () => {
    expect(directive('default-src')).toEqual(["'none'"]);
    expect(directive('script-src')).toEqual(['http://127.0.0.1:43121']);
    expect(directive('style-src')).toEqual(['http://127.0.0.1:43121']);
    expect(directive('connect-src')).toEqual(['http://127.0.0.1:43121', 'ws://127.0.0.1:43121']);
    expect(directive('object-src')).toEqual(["'none'"]);
    expect(directive('frame-ancestors')).toEqual(["'none'"]);
    expect(directive('base-uri')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('refuses a non-loopback API origin', () => {
    expect(() => contentSecurityPolicy({ apiOrigin: 'https://example.com' })).toThrow(/loopback/);
    expect(() => contentSecurityPolicy({ apiOrigin: 'http://10.0.0.1:80' })).toThrow(/loopback/);
  });
});

describe('URL rules', () => {
  const api = 'http://127.0.0.1:43121';

  it('compares navigation targets by parsed origin, not by string prefix', () => {
    expect(isSameOrigin(`${api}/#/inbox/c1`, api)).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:43122/', api)).toBe(false);
    expect(isSameOrigin('http://127.0.0.1:43121.evil.com/', api)).toBe(false);
    expect(isSameOrigin('http://127.0.0.1:43121@evil.com/', api)).toBe(false);
    expect(isSameOrigin('https://127.0.0.1:43121/', api)).toBe(false);
    expect(isSameOrigin('file:///etc/passwd', api)).toBe(false);
    expect(isSameOrigin('not a url', api)).toBe(false);
    expect(originOf('data:text/html,hi')).toBeNull();
  });

  it('opens only http(s) URLs externally', () => {
    expect(externalHttpUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(externalHttpUrl('http://example.com')).toBe('http://example.com/');
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'ms-msdt:x',
      'mailto:a@b.c',
      '',
      42,
      null,
    ]) {
      expect(externalHttpUrl(bad)).toBeNull();
    }
    expect(externalHttpUrl(`https://example.com/${'a'.repeat(3000)}`)).toBeNull();
  });

  it('grants only clipboard writes, and only to the app page', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', `${api}/`, api)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.com/', api)).toBe(false);
    for (const p of [
      'notifications',
      'media',
      'geolocation',
      'openExternal',
      'clipboard-read',
      'hid',
      'unknown',
    ]) {
      expect(isPermissionAllowed(p, `${api}/`, api)).toBe(false);
    }
  });
});

describe('bridge input', () => {
  it('accepts well-formed notifications and drops anything else', () => {
    expect(parseBridgeNotification({ title: 'Failed', body: 'x', conversationId: 'c1' })).toEqual({
      title: 'Failed',
      body: 'x',
      conversationId: 'c1',
    });
    expect(parseBridgeNotification({ title: 'Failed', body: '' })).toEqual({ title: 'Failed', body: '' });
    for (const bad of [
      null,
      'x',
      { title: '', body: 'x' },
      { title: 'x'.repeat(201), body: 'x' },
      { title: 't', body: 5 },
      { title: 't', body: 'b', conversationId: 7 },
      { title: 't', body: 'x'.repeat(2001) },
    ]) {
      expect(parseBridgeNotification(bad)).toBeNull();
    }
  });

  it('accepts only sane badge counts', () => {
    expect(parseBadgeCount(0)).toBe(0);
    expect(parseBadgeCount(12)).toBe(12);
    for (const bad of [-1, 1.5, Number.NaN, '3', null, 1e9]) expect(parseBadgeCount(bad)).toBeNull();
  });
});
