// Starts test/helpers/core-child.ts in a process of its own (crash tests kill it) and waits until it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CoreOptions } from '../../main/core';
import { waitFor, type ApiClient } from './api';

export type ChildCoreOptions = Pick<CoreOptions, 'dataDir' | 'outboxInFlightGraceMs' | 'unlimitedProviders'>;

export async function spawnCore(
  options: ChildCoreOptions,
): Promise<{ child: ChildProcess; client: ApiClient }> {
  const info = path.join(options.dataDir, 'server.json');
  fs.rmSync(info, { force: true });
  fs.mkdirSync(options.dataDir, { recursive: true });
  const errors = path.join(options.dataDir, 'child-stderr.log');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/core-child.ts', JSON.stringify(options)],
    { stdio: ['ignore', 'ignore', fs.openSync(errors, 'a')] },
  );
  const client = await waitFor(
    'child core',
    () => fs.existsSync(info) && (JSON.parse(fs.readFileSync(info, 'utf8')) as ApiClient),
    30_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; its stderr ends: ${fs.readFileSync(errors, 'utf8').slice(-2000)}`);
  });
  return { child, client };
}
