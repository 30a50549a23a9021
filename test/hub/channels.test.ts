// The team's channels on the hub: any agent lists them, only admins add, change and remove them; credentials are
// checked by a real connect, sealed at rest and never returned; each change is in the feed and the audit trail.
// The key that seals them is the same for every instance on a database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubDatabase } from '../../hub/db/database';
import { hubSecretBox } from '../../hub/secrets';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { freshHubDatabase } from '../helpers/hubDb';
import { makeTeam, startWorkInstance, type Team, type WorkInstance } from '../helpers/hubWork';
import { waitFor } from '../helpers/api';

describe('hub channels', () => {
  let sims: Simulators;
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let hub: WorkInstance;
  let team: Team;
  let other: Team;

  beforeAll(async () => {
    sims = await startSimulators({ seed: 21 });
    fresh = await freshHubDatabase();
    hub = await startWorkInstance(fresh.url);
    team = await makeTeam(hub.db);
    other = await makeTeam(hub.db, 'Other');
  }, 30_000);
  afterAll(async () => {
    await hub?.close();
    await sims?.close();
    await fresh?.drop();
  });

  const chatapi = () => sims.providers().find((p) => p.provider === 'chatapi')!;
  const body = (p = chatapi()) => ({
    provider: p.provider,
    name: `Hub ${p.provider}`,
    baseUrl: p.baseUrl,
    credentials: p.credentials,
  });

  it('needs a session, and an admin to change anything', async () => {
    expect((await hub.req('GET', '/hub/v1/channels')).status).toBe(401);
    expect((await hub.req('POST', '/hub/v1/channels', body(), team.agentToken)).status).toBe(403);
    const { rows } = await hub.db.query('SELECT 1 FROM channels');
    expect(rows).toHaveLength(0);
  });

  it('adds every provider after a real connect, and never shows a credential, usernames included', async () => {
    for (const p of sims.providers()) {
      const r = await hub.req<{ id: string; status: string }>(
        'POST',
        '/hub/v1/channels',
        body(p),
        team.adminToken,
      );
      expect(r.status).toBe(201);
      expect(r.body.status).not.toBe('auth_error');
    }
    const list = await hub.req<{ items: { id: string; capabilities: object; lastSyncAt: unknown }[] }>(
      'GET',
      '/hub/v1/channels',
      undefined,
      team.agentToken,
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(5);
    const shown = JSON.stringify(list.body);
    expect(shown).not.toContain('credentials');
    for (const p of sims.providers())
      for (const v of Object.values(p.credentials as Record<string, string>)) expect(shown).not.toContain(v);
    // Sealed at rest: no credential in the row as stored.
    const { rows } = await hub.db.query<{ credentials: Buffer }>('SELECT credentials FROM channels');
    for (const r of rows)
      for (const p of sims.providers())
        for (const v of Object.values(p.credentials as Record<string, string>))
          expect(r.credentials.toString('latin1')).not.toContain(v);
    // Another team sees none of them.
    const theirs = await hub.req<{ items: unknown[] }>(
      'GET',
      '/hub/v1/channels',
      undefined,
      other.adminToken,
    );
    expect(theirs.body.items).toHaveLength(0);
  }, 30_000);

  it('saves a channel whose credentials the provider refuses, saying why', async () => {
    const r = await hub.req<{ id: string; status: string; error: string }>(
      'POST',
      '/hub/v1/channels',
      { ...body(), name: 'Wrong key', credentials: { apiKey: 'not-the-key' } },
      team.adminToken,
    );
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('auth_error');
    expect(r.body.error).toBeTruthy();
    expect(
      (await hub.req('DELETE', `/hub/v1/channels/${r.body.id}`, undefined, team.adminToken)).status,
    ).toBe(204);
  }, 30_000);

  it('refuses bad input with 400 and changes nothing', async () => {
    const before = (await hub.db.query('SELECT count(*)::int AS n FROM channels')).rows[0];
    for (const bad of [
      { ...body(), credentials: { username: 'x' } },
      { ...body(), provider: 'nope' },
      { ...body(), baseUrl: 'javascript:alert(1)' },
      { ...body(), extra: true },
      { ...body(), credentials: { token: 'x' } },
    ])
      expect((await hub.req('POST', '/hub/v1/channels', bad, team.adminToken)).status).toBe(400);
    expect(
      (await hub.req('PATCH', '/hub/v1/channels/not-a-uuid', { name: 'x' }, team.adminToken)).status,
    ).toBe(400);
    expect((await hub.db.query('SELECT count(*)::int AS n FROM channels')).rows[0]).toEqual(before);
  });

  it('renames, pauses and removes, each change in the feed and the audit trail; other teams get 404', async () => {
    const { rows } = await hub.db.query<{ id: string }>(
      `SELECT id FROM channels WHERE team_id = $1 AND provider = 'chatpion'`,
      [team.teamId],
    );
    const id = rows[0]!.id;
    expect((await hub.req('PATCH', `/hub/v1/channels/${id}`, { name: 'x' }, other.adminToken)).status).toBe(
      404,
    );
    expect((await hub.req('DELETE', `/hub/v1/channels/${id}`, undefined, other.adminToken)).status).toBe(404);
    expect((await hub.req('PATCH', `/hub/v1/channels/${id}`, { name: 'x' }, team.agentToken)).status).toBe(
      403,
    );
    const renamed = await hub.req<{ name: string }>(
      'PATCH',
      `/hub/v1/channels/${id}`,
      { name: 'Renamed' },
      team.adminToken,
    );
    expect(renamed.body.name).toBe('Renamed');
    const paused = await hub.req<{ status: string }>(
      'PATCH',
      `/hub/v1/channels/${id}`,
      { paused: true },
      team.adminToken,
    );
    expect(paused.body.status).toBe('paused');
    await waitFor('the paused channel let go', () => !hub.work.held.includes(id), 10_000);
    expect((await hub.req('DELETE', `/hub/v1/channels/${id}`, undefined, team.adminToken)).status).toBe(204);
    expect((await hub.db.query('SELECT 1 FROM channels WHERE id = $1', [id])).rowCount).toBe(0);

    const feed = await hub.db.query<{ data: { id: string; name?: string; deleted?: boolean } }>(
      `SELECT data FROM changes WHERE team_id = $1 AND kind = 'channel' AND data->>'id' = $2 ORDER BY seq`,
      [team.teamId, id],
    );
    const datas = feed.rows.map((r) => r.data);
    expect(datas.some((d) => d.name === 'Renamed')).toBe(true);
    expect(datas.at(-1)).toEqual({ id, deleted: true });
    expect(JSON.stringify(datas)).not.toContain('credentials');
    const audit = await hub.db.query<{ action: string; agent_id: string }>(
      `SELECT action, agent_id FROM audit WHERE team_id = $1 AND target = $2 ORDER BY id`,
      [team.teamId, id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'channel.create',
      'channel.update',
      'channel.update',
      'channel.delete',
    ]);
    expect(new Set(audit.rows.map((r) => r.agent_id))).toEqual(new Set([team.adminId]));
  }, 30_000);
});

describe('the hub key', () => {
  it('is shared by every instance, and an instance with another key file refuses to start', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-key-'));
    const keyA = path.join(tmp, 'a.key');
    const keyB = path.join(tmp, 'b.key');
    fs.writeFileSync(keyA, crypto.randomBytes(32));
    fs.writeFileSync(keyB, crypto.randomBytes(32));
    fs.writeFileSync(path.join(tmp, 'short.key'), crypto.randomBytes(16));
    const withFile = await freshHubDatabase();
    const kept = await freshHubDatabase();
    const dbs = await Promise.all([HubDatabase.open(withFile.url), HubDatabase.open(kept.url)]);
    try {
      const [fileDb, keptDb] = dbs as [HubDatabase, HubDatabase];
      const sealed = (await hubSecretBox(fileDb, keyA)).encrypt('secret');
      expect((await hubSecretBox(fileDb, keyA)).decrypt(sealed)).toBe('secret');
      await expect(hubSecretBox(fileDb, keyB)).rejects.toThrow(/not the key/);
      await expect(hubSecretBox(fileDb)).rejects.toThrow(/--key-file/);
      await expect(hubSecretBox(keptDb, path.join(tmp, 'short.key'))).rejects.toThrow(/32 bytes/);
      // Without a key file the first instance's key is kept, and every later one uses it.
      const [first, second] = await Promise.all([hubSecretBox(keptDb), hubSecretBox(keptDb)]);
      expect(second!.decrypt(first!.encrypt('shared'))).toBe('shared');
      await expect(hubSecretBox(keptDb, keyA)).rejects.toThrow(/without --key-file/);
      const { rows } = await fileDb.query<{ value: string }>('SELECT value FROM hub_meta WHERE key = $1', [
        'secret_key',
      ]);
      expect(rows[0]!.value).not.toContain(fs.readFileSync(keyA).toString('base64'));
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
      await withFile.drop();
      await kept.drop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
