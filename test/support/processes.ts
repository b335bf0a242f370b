import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TEST_MASTER_KEY } from './platform.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface StartedProcess {
  child: ChildProcess;
  match: RegExpExecArray;
  output: () => string;
}

/**
 * Starts `chain2 start --no-demo` with a role on a PostgreSQL database, as an operator would, and resolves once its
 * output matches `ready`. The simulator runs fast and lossless unless `env` says otherwise.
 */
export function startRole(role: 'api' | 'worker', url: string, ready: RegExp, env: Record<string, string> = {}): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['bin/chain2.js', 'start', '--no-demo'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ROLE: role, DATABASE_URL: url, MASTER_KEY: TEST_MASTER_KEY, PORT: '0', LOG_LEVEL: 'warn',
      SIMULATOR_TIME_SCALE: '1000', SIMULATOR_UNREACHABLE_RATE: '0', SIMULATOR_LOSS_RATE: '0', ...env },
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += String(chunk);
      const match = ready.exec(text);
      if (match) resolve({ child, match, output: () => text });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`${role} exited with ${code ?? signal}:\n${text}`)));
  });
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}
