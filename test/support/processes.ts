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
 * output matches `ready`. The simulator runs fast and lossless unless `env` says otherwise (here and in startEmbedded).
 */
export function startRole(
  role: 'api' | 'worker',
  url: string,
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<StartedProcess> {
  return startProcess({ ROLE: role, DATABASE_URL: url, ...env }, ready, role);
}

/** Starts `chain2 field-network` (the meters, their power line) and resolves with its head-end URL once it listens. */
export async function startFieldNetworkService(
  env: Record<string, string> = {},
): Promise<StartedProcess & { url: string }> {
  const started = await startProcess(
    { FIELD_NETWORK_PORT: '0', ...env },
    /Head-end URL: (http:\/\/\S+)/,
    'the field network',
    ['field-network'],
  );
  return { ...started, url: started.match[1]! };
}

function startProcess(
  env: Record<string, string>,
  ready: RegExp,
  name = 'the platform',
  args = ['start', '--no-demo'],
): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['bin/chain2.js', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MASTER_KEY: TEST_MASTER_KEY,
      PORT: '0',
      LOG_LEVEL: 'warn',
      SIMULATOR_TIME_SCALE: '1000',
      SIMULATOR_UNREACHABLE_RATE: '0',
      SIMULATOR_LOSS_RATE: '0',
      ...env,
    },
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
    child.once('exit', (code, signal) => reject(new Error(`${name} exited with ${code ?? signal}:\n${text}`)));
  });
}

/**
 * Starts `chain2 start --no-demo` on the embedded database in `dataDir`, as `npm start` does (ROLE=both), and
 * resolves with its API's origin once it listens.
 */
export async function startEmbedded(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<StartedProcess & { url: string }> {
  const started = await startProcess(
    { DATA_DIR: dataDir, DATABASE_URL: '', HEAD_END_URL: '', ROLE: 'both', DU_PORT: '0', ...env },
    /API:\s+(http:\/\/\S+)/,
  );
  return { ...started, url: new URL(started.match[1]!).origin };
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}
