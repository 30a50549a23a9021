// Static checks of the Electron shell that run everywhere (no Electron binary needed): the window's
// web preferences, the navigation and permission guards, the CSP, the bridge surface, and that only the
// shell imports 'electron'. Plus the pure rules the guards use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBadgeCount, parseBridgeNotification } from '../../main/shell/bridge-input';
import {
  buildCsp,
  externalHttpUrl,
  isPermissionAllowed,
  isSameOrigin,
  originOf,
} from '../../main/shell/web-security';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** Source without comments, so that prose about a forbidden API does not count as using it. */
const code = (path: string) =>
  read(path)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return tsFiles(relative(ROOT, path));
    return /\.tsx?$/.test(name) ? [relative(ROOT, path)] : [];
  });
}

const shellFiles = tsFiles('main/shell');
const preloadFiles = tsFiles('preload');
const shellSource = shellFiles.map(code).join('\n');
const ELECTRON_IMPORT =
  /\bfrom\s+['"]electron(\/[^'"]*)?['"]|\brequire\(\s*['"]electron['"]\s*\)|\bimport\(\s*['"]electron['"]\s*\)/;

describe('the window', () => {
  const window = read('main/shell/window.ts');

  it('isolates the renderer: contextIsolation, sandbox, no Node integration', () => {
    expect(window).toMatch(/contextIsolation:\s*true/);
    expect(window).toMatch(/sandbox:\s*true/);
    expect(window).toMatch(/nodeIntegration:\s*false/);
    expect(window).toMatch(/webviewTag:\s*false/);
  });

  it('never weakens a web preference anywhere in the shell', () => {
    for (const weak of [
      /contextIsolation:\s*false/,
      /sandbox:\s*false/,
      /nodeIntegration\w*:\s*true/,
      /webSecurity:\s*false/,
      /allowRunningInsecureContent:\s*true/,
      /enableRemoteModule/,
      /experimentalFeatures:\s*true/,
    ]) {
      expect(shellSource).not.toMatch(weak);
    }
  });

  it('creates every BrowserWindow through the hardened factory', () => {
    const creators = shellFiles.filter((f) => /new BrowserWindow\(/.test(read(f)));
    expect(creators).toEqual(['main/shell/window.ts']);
  });
});

describe('navigation, new windows and permissions', () => {
  const security = read('main/shell/security.ts');
  const desktop = read('main/shell/desktop.ts');

  it('guards will-navigate by parsed origin', () => {
    expect(security).toMatch(/on\('will-navigate'[\s\S]{0,200}isSameOrigin|keepInApp\(event, event\.url\)/);
    expect(security).toMatch(/isSameOrigin\(url, apiOrigin\)[\s\S]{0,80}event\.preventDefault\(\)/);
  });

  it('denies window.open', () => {
    expect(security).toMatch(/setWindowOpenHandler\([\s\S]{0,200}action:\s*'deny'/);
    expect(security).not.toMatch(/action:\s*'allow'/);
  });

  it('refuses webviews', () => {
    expect(security).toMatch(/will-attach-webview[\s\S]{0,80}preventDefault\(\)/);
  });

  it('applies the guards to every web contents and the hardening to the session', () => {
    expect(desktop).toMatch(/web-contents-created[\s\S]{0,120}guardWebContents\(/);
    expect(desktop).toMatch(/hardenSession\(session\.defaultSession, apiOrigin\)/);
  });

  it('denies permission requests and checks by default', () => {
    expect(security).toMatch(/setPermissionRequestHandler\([\s\S]{0,200}isPermissionAllowed\(/);
    expect(security).toMatch(/setPermissionCheckHandler\([\s\S]{0,200}isPermissionAllowed\(/);
    expect(security).toMatch(/setDevicePermissionHandler\(\(\) => false\)/);
  });

  it('sets the CSP as a response header, replacing any other', () => {
    expect(security).toMatch(/onHeadersReceived\(/);
    expect(security).toMatch(/\['Content-Security-Policy'\]\s*=\s*\[csp\]/);
    expect(security).toMatch(/const csp = buildCsp\(apiOrigin\)/);
  });

  it('hands only http(s) URLs to shell.openExternal', () => {
    const calls = shellFiles.filter((f) => /\bshell\.openExternal\(/.test(read(f)));
    expect(calls).toEqual(['main/shell/security.ts']);
    expect(security).toMatch(
      /const safe = externalHttpUrl\(url\);\s*if \(safe\) void shell\.openExternal\(safe\)/,
    );
  });

  it('answers bridge messages only from the app page', () => {
    const ipc = read('main/shell/ipc.ts');
    const handlers = ipc.match(/ipcMain\.on\(/g) ?? [];
    const checked = ipc.match(/ipcMain\.on\([^]*?trusted\(event\)/g) ?? [];
    expect(handlers.length).toBeGreaterThan(0);
    expect(checked.length).toBe(handlers.length);
    expect(ipc).toMatch(/event\.sender === h\.contents\(\)/);
    expect(ipc).not.toMatch(/ipcMain\.handle\(/);
  });
});

describe('the preload bridge', () => {
  const preload = read('preload/index.ts');

  it('exposes exactly one object with the documented members', () => {
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('agentInbox', bridge\)/);
    const body = /const bridge: AgentInboxBridge = \{([\s\S]*?)\n {2}\};/.exec(preload)?.[1] ?? '';
    const keys = [...body.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
    expect(keys).toEqual(['apiUrl', 'token', 'notify', 'setBadge', 'focus', 'openExternal']);
  });

  it('passes no ipcRenderer, no Node and no token on the command line', () => {
    const preload = code('preload/index.ts');
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preload).not.toMatch(/process\.argv|additionalArguments/);
    expect(shellSource).not.toMatch(/additionalArguments/);
  });

  it('keeps bridge.ts free of runtime imports (the renderer imports its types)', () => {
    expect(read('preload/bridge.ts')).not.toMatch(/^\s*import\s+(?!type\b)/m);
  });
});

describe('only the shell imports electron', () => {
  it('main/** outside main/shell never imports electron', () => {
    const offenders = tsFiles('main').filter(
      (f) => !f.startsWith(join('main', 'shell')) && ELECTRON_IMPORT.test(read(f)),
    );
    expect(offenders).toEqual([]);
  });

  it('the renderer never imports electron', () => {
    const offenders = tsFiles('renderer').filter((f) => ELECTRON_IMPORT.test(read(f)));
    expect(offenders).toEqual([]);
  });

  it('the check recognises the import forms', () => {
    expect(ELECTRON_IMPORT.test("import { app } from 'electron';")).toBe(true);
    expect(ELECTRON_IMPORT.test('const e = require("electron")')).toBe(true);
    expect(ELECTRON_IMPORT.test("await import('electron')")).toBe(true);
    expect(ELECTRON_IMPORT.test("import x from 'electron-builder'")).toBe(false);
    expect(preloadFiles.some((f) => ELECTRON_IMPORT.test(read(f)))).toBe(true);
  });
});

describe('CSP', () => {
  const csp = buildCsp('http://127.0.0.1:43121');
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
    expect(() => buildCsp('https://example.com')).toThrow(/loopback/);
    expect(() => buildCsp('http://10.0.0.1:80')).toThrow(/loopback/);
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
