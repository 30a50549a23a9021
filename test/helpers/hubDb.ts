// A fresh, empty database on the test run's embedded PostgreSQL (test/hub/globalSetup.ts), dropped after.
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export async function freshHubDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('hubPgAdminUrl');
  const name = `hub_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
