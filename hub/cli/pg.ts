// `npm run hub:pg -- --data-dir DIR [--port N]`: only the embedded PostgreSQL (data in DIR/pg), for several hub
// instances on one machine; writes DIR/pg.json {databaseUrl} (0600) once it is ready, stops it on SIGINT/SIGTERM.
import path from 'node:path';
import { createLogger } from '../../main/log';
import { startEmbeddedPostgres, type EmbeddedPg } from '../pg/embedded';
import { dataDirFlag, die, onShutdown, parseFlags, portFlag, writePrivateJson } from './common';

const COMMAND = 'hub:pg';
const USAGE = 'npm run hub:pg -- --data-dir DIR [--port N]';

const flags = parseFlags(COMMAND, { 'data-dir': { type: 'string' }, port: { type: 'string' } }, USAGE);
const dataDir = dataDirFlag(COMMAND, flags['data-dir'], USAGE);
const port = portFlag(COMMAND, 'port', flags.port);
const log = createLogger({ stdout: true });
log.info({ dataDir }, 'starting PostgreSQL');

let pg: EmbeddedPg | null = null;
onShutdown(async () => {
  await pg?.stop();
}, log);

try {
  pg = await startEmbeddedPostgres({
    dir: path.join(dataDir, 'pg'),
    port: port || undefined,
    log: log.child({ component: 'postgres' }),
    onExit: () => die(COMMAND, 'PostgreSQL exited; start this command again'),
  });
  const file = path.join(dataDir, 'pg.json');
  writePrivateJson(file, { databaseUrl: pg.databaseUrl });
  log.info(
    { port: pg.port, postgresPid: pg.pid, file },
    'PostgreSQL is ready; its databaseUrl is in pg.json',
  );
} catch (e) {
  die(COMMAND, (e as Error).message);
}
