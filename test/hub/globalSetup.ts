// One embedded PostgreSQL for the whole test run (initdb once, kept under node_modules/.cache): each hub test
// file makes databases of its own on it (test/helpers/hubDb.ts).
import net from 'node:net';
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

export async function setup(project: TestProject): Promise<void> {
  const dir = path.resolve('node_modules/.cache/agent-inbox-test-pg/pg');
  pg = await startEmbeddedPostgres({ dir, port: await freePort() });
  project.provide('hubPgAdminUrl', pg.adminUrl);
}

export async function teardown(): Promise<void> {
  await pg?.stop();
}
