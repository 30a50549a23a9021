// Child processes of the benchmark (a core, the simulators), run with tsx and an IPC channel.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from './generate';

export interface Child<Ready> {
  proc: ChildProcess;
  ready: Ready;
  /** Wall time from spawn to its ready message (includes tsx compiling the sources). */
  spawnToReadyMs: number;
  ask<T>(type: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild<Ready>(
  script: string,
  arg: unknown,
  timeoutMs = 120_000,
): Promise<Child<Ready>> {
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'test/bench', script), JSON.stringify(arg)],
    {
      cwd: REPO,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    proc.on('message', (m: { type?: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m as Ready);
      }
    });
  });
  const spawnToReadyMs = performance.now() - t0;
  return {
    proc,
    ready,
    spawnToReadyMs,
    ask<T>(type: string, askTimeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no answer to ${type}`)), askTimeoutMs);
        const onMessage = (m: { type?: string }) => {
          if (m.type !== type) return;
          clearTimeout(timer);
          proc.off('message', onMessage);
          resolve(m as T);
        };
        proc.on('message', onMessage);
        proc.send({ type });
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.send({ type: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
