// Web mode: `npm run web -- --data-dir DIR --port N [--demo]` runs the core and serves the built renderer
// on loopback, and writes DIR/server.json {url, token, pid, appUrl} (mode 0600).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core';
import { DatabaseOpenError } from '../db';
import { createLogger } from '../log';

const { values } = parseArgs({
  options: {
    'data-dir': {
      type: 'string',
      default: process.env.AGENT_INBOX_DATA ?? path.join(os.homedir(), '.agent-inbox'),
    },
    port: { type: 'string', default: '0' },
    demo: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`agent-inbox: --port must be a number from 0 to 65535, got '${values.port}'`);
  process.exit(2);
}
const dataDir = path.resolve(values['data-dir']!);
const rendererDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/renderer');
if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
  console.error('agent-inbox: the renderer is not built yet (run `npm run build`); serving the API only');
}

/** CI=1 or CI=true: nobody reads the terminal, and its output is often kept. */
function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && !['0', 'false'].includes(ci.toLowerCase());
}

try {
  const core = await createCore({
    dataDir,
    port,
    demo: values.demo,
    rendererDir,
    // JSON lines on stdout, and the same in DIR/logs/agent-inbox.log (rotated at 5 MB, three files kept).
    log: createLogger({ stdout: true, dir: path.join(dataDir, 'logs') }),
  });
  const info = {
    url: core.url,
    token: core.token,
    pid: process.pid,
    appUrl: `${core.url}/#token=${core.token}`,
  };
  const file = path.join(dataDir, 'server.json');
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  // The token is a secret: it goes to a person at a terminal (as Jupyter does), straight to stdout and never
  // through the logger, so it is in no log file; piped or redirected output only says where to find it.
  if (process.stdout.isTTY && !isCi()) {
    console.log(`Agent Inbox web mode on ${core.url}. To open it, go to:\n\n    ${info.appUrl}\n`);
  } else {
    console.log(`Agent Inbox web mode on ${core.url} — open the appUrl in ${file}`);
  }
  const stop = () => void core.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  if (e instanceof DatabaseOpenError) {
    console.error(`agent-inbox: ${e.message}`);
    process.exit(3);
  }
  throw e;
}
