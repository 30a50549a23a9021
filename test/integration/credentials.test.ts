// Credentials are encrypted at rest, never returned, never logged; removing a channel removes its secrets; they
// are only ever sent to the server (origin) they were given for.
// Channels run with unique secrets through sync and through errors (provider down, wrong base URL, a provider
// that echoes the key it was sent in its error text); then every file of the data directory and every line
// the core logged is searched for each secret and for the API token. Web mode prints no token either.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { keyFileSecretBox } from '../../main/secrets/keyfile';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor, type ApiClient } from '../helpers/api';

let sims: Simulators;
let core: Core;
let tmp: ReturnType<typeof tempDir>;
let echo: http.Server;
let echoUrl: string;
const logLines: string[] = [];
const unique = (what: string) => `${what}-${crypto.randomBytes(12).toString('hex')}`;

/** A provider that repeats whatever credentials it was sent in its error answers. */
async function startEchoProvider(): Promise<void> {
  echo = http.createServer((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        detail: `Invalid API key: ${req.headers.authorization ?? ''}`,
        error_code: 'INVALID_API_KEY',
      }),
    );
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/api/v1`;
}

/** Every file under `dir` that contains `needle`, by relative path. */
function filesContaining(dir: string, needle: Buffer): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => fs.readFileSync(f).includes(needle))
    .map((f) => path.relative(dir, f));
}

interface ChannelView {
  id: string;
  status: string;
  error?: string;
}

async function channel(id: string): Promise<ChannelView | undefined> {
  return (await api<{ items: ChannelView[] }>(core, 'GET', '/api/v1/channels')).body.items.find(
    (c) => c.id === id,
  );
}

async function waitForStatus(id: string, status: string): Promise<ChannelView> {
  return waitFor(
    `channel ${id} ${status}`,
    async () => {
      const c = await channel(id);
      return c?.status === status ? c : null;
    },
    20_000,
  );
}

beforeAll(async () => {
  tmp = tempDir();
  // A seed of this run only: the simulators' keys are derived from it, so they appear nowhere by chance.
  sims = await startSimulators({ seed: crypto.randomInt(1_000_000, 2_000_000_000) });
  await startEchoProvider();
  core = await createCore({ dataDir: path.join(tmp.dir, 'data'), log: (line) => logLines.push(line) });
}, 30_000);

afterAll(async () => {
  await core?.close();
  await sims?.close();
  await new Promise((r) => echo?.close(r));
  tmp?.cleanup();
});

describe('credentials', () => {
  const secrets: string[] = [];

  it('syncs with its keys, and through auth and network errors, without returning or logging a secret', async () => {
    const live = sims.providers().filter((p) => p.provider === 'chatapi' || p.provider === 'chatpion');
    secrets.push(...live.map((p) => Object.values(p.credentials as Record<string, string>)[0]));
    const ids = await addAllChannels(core, live);
    await waitFor(
      'first conversations',
      async () =>
        (await api<{ items: unknown[] }>(core, 'GET', '/api/v1/conversations')).body.items.length > 0,
      20_000,
    );

    // Provider down: the channel goes offline and says why.
    sims.kits.chatpion.setFaults({ down: true });
    expect((await waitForStatus(ids.chatpion, 'offline')).error).toBe('ChatPion is unavailable for now');
    sims.kits.chatpion.setFaults({ down: false });

    // New credentials and a base URL where nothing listens.
    const unreachable = unique('key-unreachable');
    secrets.push(unreachable);
    await api(core, 'PATCH', `/api/v1/channels/${ids.chatpion}`, {
      baseUrl: 'http://127.0.0.1:9/api',
      credentials: { apiKey: unreachable },
    });
    expect((await waitForStatus(ids.chatpion, 'offline')).error).toBe('ChatPion could not be reached');

    // A provider that echoes the key: checking it, adding it, and syncing with it.
    const echoed = unique('key-echoed');
    secrets.push(echoed);
    const body = { provider: 'chatapi', name: 'echo', baseUrl: echoUrl, credentials: { apiKey: echoed } };
    const tested = await api<{ ok: boolean; error: string }>(core, 'POST', '/api/v1/channels/test', body);
    expect(tested.body).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^ChatAPI did not accept the channel's credentials: invalid API key/),
    });
    const added = await api<{ status: string; error: string }>(core, 'POST', '/api/v1/channels', body);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ status: 'auth_error', error: expect.stringContaining('[redacted]') });
    await api(core, 'PATCH', `/api/v1/channels/${ids.chatapi}`, {
      baseUrl: echoUrl,
      credentials: { apiKey: echoed },
    });
    expect((await waitForStatus(ids.chatapi, 'auth_error')).error).toContain('[redacted]');

    const everyAnswer = JSON.stringify([
      tested.body,
      added.body,
      (await api(core, 'GET', '/api/v1/channels')).body,
      (await api(core, 'GET', '/api/v1/health')).body,
    ]);
    expect(logLines.some((l) => l.includes('[redacted]'))).toBe(true);
    for (const secret of [...secrets, core.token]) {
      expect(everyAnswer.includes(secret) ? `answer contains ${secret}` : null).toBeNull();
      expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
      expect(filesContaining(core.dataDir, Buffer.from(secret))).toEqual([]);
    }
  }, 60_000);

  it("removes a channel's encrypted credentials and webhook secret from every file when the channel is deleted", async () => {
    const chatbots = sims.providers().filter((p) => p.provider === 'chatbots-platform');
    const id = (await addAllChannels(core, chatbots))['chatbots-platform'];
    const row = core.store.channels.get(id)!;
    const traces = [row.credentials, row.webhook_secret_sealed!];
    const webhookSecret = keyFileSecretBox(core.dataDir).decrypt(row.webhook_secret_sealed!);
    // Sealed like the credentials: the secret itself is in no file.
    expect(filesContaining(core.dataDir, Buffer.from(webhookSecret))).toEqual([]);
    // While the channel exists its sealed credentials are on disk (the test would prove nothing otherwise).
    await waitForStatus(id, 'live');
    expect(filesContaining(core.dataDir, row.credentials).length).toBeGreaterThan(0);

    expect((await api(core, 'DELETE', `/api/v1/channels/${id}`)).status).toBe(204);
    for (const trace of traces) expect(filesContaining(core.dataDir, trace)).toEqual([]);
  }, 30_000);
});

describe('credentials and the base URL', () => {
  /** A server that records what each request carried and refuses it. */
  async function startGrabber(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(JSON.stringify({ url: req.url, headers: req.headers }));
      res.writeHead(401).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise((r) => server.close(() => r())) };
  }

  it('asks for the credentials again (422) when the base URL moves to another origin; the stored ones stay home', async () => {
    const p = sims.providers().find((x) => x.provider === 'chatapi')!;
    const key = (p.credentials as { apiKey: string }).apiKey;
    const id = (await addAllChannels(core, [p])).chatapi;
    await waitForStatus(id, 'live');
    const grabber = await startGrabber();
    try {
      const moved = await api<{ error: { code: string; message: string } }>(
        core,
        'PATCH',
        `/api/v1/channels/${id}`,
        { baseUrl: `${grabber.url}/api/v1` },
      );
      expect(moved.status).toBe(422);
      expect(moved.body.error.code).toBe('credentials_required');
      expect(moved.body.error.message).toContain(grabber.url);
      expect(moved.body.error.message).toMatch(/credentials/);
      const docs = await api<{ paths: Record<string, { patch: { responses: Record<string, unknown> } }> }>(
        core,
        'GET',
        '/api/docs.json',
      );
      expect(docs.body.paths['/api/v1/channels/{id}'].patch.responses['422']).toMatchObject({
        description: expect.stringMatching(/^credentials_required: /),
      });
      // Another host name for the same address is another origin too.
      const renamed = await api(core, 'PATCH', `/api/v1/channels/${id}`, {
        baseUrl: p.baseUrl.replace('127.0.0.1', 'localhost'),
      });
      expect(renamed.status).toBe(422);
      // Nothing changed, and nothing went to the new host (a second covers the sync's restart).
      await new Promise((r) => setTimeout(r, 1_500));
      expect(grabber.seen).toEqual([]);
      expect((await channel(id))?.status).toBe('live');
      expect(core.store.channels.get(id)!.base_url).toBe(p.baseUrl);

      // Same origin, another path: allowed, the stored credentials kept.
      const samePlace = await api<{ baseUrl: string }>(core, 'PATCH', `/api/v1/channels/${id}`, {
        baseUrl: `${p.baseUrl}/`,
      });
      expect(samePlace.status).toBe(200);
      expect(samePlace.body.baseUrl).toBe(`${p.baseUrl}/`);

      // With credentials in the same request the move is allowed: those go, not the stored ones.
      const fresh = unique('key-for-new-host');
      const withKey = await api(core, 'PATCH', `/api/v1/channels/${id}`, {
        baseUrl: `${grabber.url}/api/v1`,
        credentials: { apiKey: fresh },
      });
      expect(withKey.status).toBe(200);
      await waitFor('a request at the new host', () => grabber.seen.length > 0, 10_000);
      expect(grabber.seen.join('\n')).toContain(fresh);
      expect(grabber.seen.join('\n')).not.toContain(key);
    } finally {
      await api(core, 'DELETE', `/api/v1/channels/${id}`);
      await grabber.close();
    }
  }, 30_000);
});

describe('web mode', () => {
  it('prints where to find the token, never the token itself', async () => {
    const dataDir = path.join(tmp.dir, 'web');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'main/cli/web.ts', '--data-dir', dataDir, '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const info = await waitFor(
        'server.json',
        () => {
          const file = path.join(dataDir, 'server.json');
          return fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as ApiClient);
        },
        30_000,
      );
      expect((await api(info, 'GET', '/api/v1/health')).status).toBe(200);
      expect((await api({ ...info, token: 'wrong' }, 'GET', '/api/v1/health')).status).toBe(401);
      expect(fs.statSync(path.join(dataDir, 'server.json')).mode & 0o077).toBe(0);
      await waitFor('the start-up line', () => output.includes('web mode on'), 10_000);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      expect(output).not.toContain(info.token);
      expect(filesContaining(dataDir, Buffer.from(info.token))).toEqual(['server.json']);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
