// A core in its own process, for crash tests: `tsx test/helpers/core-child.ts '<CoreOptions JSON>'`.
// Writes DATA_DIR/server.json like web mode once it serves.
import fs from 'node:fs';
import path from 'node:path';
import { createCore, type CoreOptions } from '../../main/core';

const o = JSON.parse(process.argv[2]) as CoreOptions;
const logFile = path.join(o.dataDir, 'core.log');
const core = await createCore({
  ...o,
  log: (line) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`),
});
fs.writeFileSync(
  path.join(o.dataDir, 'server.json'),
  JSON.stringify({ url: core.url, token: core.token, pid: process.pid }),
  { mode: 0o600 },
);
process.on('SIGTERM', () => void core.close().then(() => process.exit(0)));
