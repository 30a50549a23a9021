// One embedded PostgreSQL for the whole test run, in a directory of its own (so that runs side by side never
// share a server): each hub test file makes databases of its own on it (test/helpers/hubDb.ts). The cluster is
// copied from one made once (initdb takes seconds; a copy, a fraction of one).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../hub/pg/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    hubPgAdminUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let pg: EmbeddedPg | null = null;
let work: string | null = null;

const TEMPLATE = path.resolve('node_modules/.cache/agent-inbox-test-pg');

/** A temp directory PostgreSQL's own user may pass through (as root it does not run as us). */
function passableTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-inbox-test-pg-'));
  fs.chmodSync(dir, 0o711);
  return dir;
}

/** The cluster every run copies: made once, in a temp directory, then moved in place whole. */
async function ensureTemplate(): Promise<void> {
  if (fs.existsSync(path.join(TEMPLATE, 'pg', 'PG_VERSION'))) return;
  const made = passableTempDir();
  const server = await startEmbeddedPostgres({ dir: path.join(made, 'pg'), port: await freePort() });
  await server.stop();
  fs.mkdirSync(path.dirname(TEMPLATE), { recursive: true });
  fs.rmSync(TEMPLATE, { recursive: true, force: true });
  execFileSync('mv', [made, TEMPLATE]);
}

export async function setup(project: TestProject): Promise<void> {
  await ensureTemplate();
  work = passableTempDir();
  // cp -a keeps the files' owner (PostgreSQL's user, as root) and their 0700 modes.
  execFileSync('cp', ['-a', path.join(TEMPLATE, 'pg'), path.join(TEMPLATE, 'pg.password'), work]);
  pg = await startEmbeddedPostgres({ dir: path.join(work, 'pg'), port: await freePort() });
  project.provide('hubPgAdminUrl', pg.adminUrl);
}

export async function teardown(): Promise<void> {
  await pg?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
}
