// One hub instance: migrations, the setup token, the HTTP API and socket.io, and the channel work (sync and
// delivery) of the channels this instance holds the lock of. Instances are stateless: everything they share
// lives in PostgreSQL, so any number of them may run on one database behind any load balancer.
import type { Logger } from '../main/log';
import type { BackoffScale } from '../main/domain/backoff';
import { HubDatabase } from './db/database';
import { ensureSetupToken } from './db/meta';
import { startHubServer } from './api/server';
import { teamRoutes } from './api/routes/team';
import { feedRoutes } from './api/routes/feed';
import { opsRoutes } from './api/routes/ops';
import { channelRoutes } from './api/routes/channels';
import { webhookRoutes } from './api/routes/webhooks';
import { attachRealtime } from './realtime/socket';
import { hubSecretBox } from './secrets';
import { ChannelWork } from './work/channelWork';

export interface HubOptions {
  databaseUrl: string;
  /** Where this instance keeps its hub.json (the CLI writes it) and its logs. */
  dataDir: string;
  /** Default 127.0.0.1; 0.0.0.0 to face the network (with --tls-*, or behind a TLS proxy). */
  host?: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Where providers can reach this hub for webhooks (https://hub.example.com); absent: every provider is polled. */
  publicUrl?: string;
  tls?: { cert: Buffer; key: Buffer };
  /** A 32-byte key file every instance shares, to seal channel credentials; absent: a key kept in the database. */
  keyFile?: string;
  /** Browser origins allowed to call the hub (CORS, socket.io); none by default. */
  allowedOrigins?: string[];
  /** Reverse proxies whose X-Forwarded-For names the client (sign-in throttling per address); none by default. */
  trustedProxies?: string[];
  log?: Logger;
  /** Tests: shortens sync and delivery backoffs. */
  backoffScale?: BackoffScale;
  /** Tests: how long a send in flight at a crash may still land before the provider is asked. */
  inFlightGraceMs?: number;
}

export interface Hub {
  url: string;
  port: number;
  /** The one-time setup token, when this instance created it (a fresh database). */
  setupToken: string | null;
  db: HubDatabase;
  close(): Promise<void>;
}

export async function createHub(o: HubOptions): Promise<Hub> {
  const db = await HubDatabase.open(o.databaseUrl);
  const setupToken = await ensureSetupToken(db);
  const secrets = await hubSecretBox(db, o.keyFile);
  const work = new ChannelWork({
    db,
    secrets,
    publicUrl: o.publicUrl ?? null,
    log: o.log,
    backoffScale: o.backoffScale,
    inFlightGraceMs: o.inFlightGraceMs,
  });
  const server = await startHubServer({
    db,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    tls: o.tls,
    log: o.log,
    allowedOrigins: o.allowedOrigins ?? [],
    trustedProxies: o.trustedProxies,
    routes: [
      teamRoutes({ db }),
      channelRoutes({ db, work }),
      feedRoutes({ db }),
      opsRoutes({ db, work }),
      webhookRoutes({ work }),
    ],
  });
  const realtime = await attachRealtime({
    server: server.app.server,
    db,
    allowedOrigins: o.allowedOrigins ?? [],
  });
  work.start(server.url);
  return {
    url: server.url,
    port: server.port,
    setupToken,
    db,
    async close() {
      await work.stop();
      await realtime.close();
      await server.close();
      await db.close();
    },
  };
}
