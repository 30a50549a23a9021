// The renderer's files as the local API serves them: the page (also for unknown pages) with the one CSP for
// the origin it was loaded from, hashed assets cached for good, and everything else (missing files, paths
// out of the folder, dotfiles, directories) a 404 in the envelope that nothing caches.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../main/contract/csp';
import { rawRequest, startRecordingServer, type RecordingServer } from '../helpers/raw-http';
import { tempDir } from '../helpers/tmp';

const PAGE = '<!doctype html><title>app</title>';
const TOKEN = 'gate-test-token';

let rec: RecordingServer;
let empty: RecordingServer;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir();
  const dir = path.join(tmp.dir, 'renderer');
  fs.mkdirSync(path.join(dir, 'assets', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), PAGE);
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'export {};');
  fs.writeFileSync(path.join(dir, 'assets', '.secret'), 'hidden');
  fs.writeFileSync(path.join(tmp.dir, 'outside.txt'), 'outside');
  fs.mkdirSync(path.join(tmp.dir, 'unbuilt'));
  rec = await startRecordingServer({ rendererDir: dir });
  empty = await startRecordingServer({ rendererDir: path.join(tmp.dir, 'unbuilt') });
});
afterAll(async () => {
  await rec.server.close();
  await empty.server.close();
  tmp.cleanup();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** GET `target` byte for byte (no client normalises it), with the given Host. */
async function get(server: RecordingServer, target: string, host = `127.0.0.1:${server.server.port}`) {
  const res = await rawRequest(
    server.server.port,
    `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  const [head, ...rest] = res.text.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: res.status, headers, body: rest.join('\r\n\r\n') } satisfies Answer;
}

const expectNoSuchFile = (a: Answer, target: string) => {
  expect(a.status, target).toBe(404);
  expect(JSON.parse(a.body), target).toEqual({ error: { code: 'not_found', message: 'No such file' } });
  expect(a.headers['cache-control'], target).toBeUndefined();
};

describe('renderer files', () => {
  it('serves the page with the CSP for the origin it was loaded from, never cached', async () => {
    for (const host of [`127.0.0.1:${rec.server.port}`, `localhost:${rec.server.port}`]) {
      const a = await get(rec, '/', host);
      expect(a.status).toBe(200);
      expect(a.body).toBe(PAGE);
      expect(a.headers['content-type']).toMatch(/^text\/html/);
      expect(a.headers['content-security-policy']).toBe(
        contentSecurityPolicy({ apiOrigin: `http://${host}` }),
      );
      expect(a.headers['cache-control']).toBe('no-store');
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('answers unknown pages with the page, and unknown API paths with the 404 envelope', async () => {
    const page = await get(rec, '/inbox/42?x=1');
    expect(page.status).toBe(200);
    expect(page.body).toBe(PAGE);
    expect(page.headers['content-security-policy']).toBe(
      contentSecurityPolicy({ apiOrigin: rec.server.url }),
    );
    const res = await rawRequest(
      rec.server.port,
      `GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1:${rec.server.port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(404);
    expect(res.text).toContain('"code":"not_found"');
    expect(res.text).not.toContain(PAGE);
  });

  it('serves hashed assets cached for good', async () => {
    const a = await get(rec, '/assets/app.js');
    expect(a.status).toBe(200);
    expect(a.body).toBe('export {};');
    expect(a.headers['content-type']).toMatch(/javascript/);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for missing files, paths out of the folder, dotfiles and directories', async () => {
    for (const target of [
      '/assets/missing.js',
      '/assets/../index.html',
      '/assets/../../outside.txt',
      '/assets/%2e%2e/%2e%2e/outside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/assets/.secret',
      '/assets/%2esecret',
      '/assets/',
      '/assets/sub',
      '/assets/sub/',
      '/assets/app.js%00.png',
    ])
      expectNoSuchFile(await get(rec, target), target);
  });

  it('answers 404 when the renderer is not built', async () => {
    expectNoSuchFile(await get(empty, '/'), '/');
    expectNoSuchFile(await get(empty, '/some/page'), '/some/page');
  });

  it('never puts the token in what it serves', async () => {
    for (const target of ['/', '/some/page', '/assets/app.js', '/assets/missing.js'])
      expect((await get(rec, target)).body).not.toContain(TOKEN);
    expect(rec.calls).toEqual([]);
  });
});
