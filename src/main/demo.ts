import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoCredentials, isSeeded, seedDemo, type DemoCredentials, type SeedDeps } from '../demo/seed.js';
import { API_PREFIX } from '../http/app.js';
import type { Platform } from './platform.js';

export const CREDENTIALS_FILE = 'demo-credentials.json';

function seedDepsOf(platform: Platform): SeedDeps {
  const { storage, services, workflow } = platform;
  return {
    storage,
    access: services.access,
    associations: services.associations,
    eligibility: services.eligibility,
    onboarding: services.onboarding,
    sessions: services.sessions,
    clock: { now: () => new Date() },
    completeRequests: () => workflow.drain(),
  };
}

/** The address clients use: the bound port once listening (PORT=0 picks a free one), else the configured one. */
export function baseUrlOf(platform: Platform): string {
  const host = platform.config.host === '0.0.0.0' || platform.config.host === '::' ? '127.0.0.1' : platform.config.host;
  const address = platform.app.server.address();
  const port = address && typeof address === 'object' ? address.port : platform.config.port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Seeds the demo if the database is empty. Returns whether it did. */
export async function seedDemoIfEmpty(platform: Platform): Promise<boolean> {
  if (await isSeeded(platform.storage)) return false;
  await seedDemo(seedDepsOf(platform));
  return true;
}

/** Lists the demo's emulated DUs in the credentials file (rewritten at each start: ports and DUs may change). */
export async function recordDemoDus(platform: Platform, dus: NonNullable<DemoCredentials['dus']>): Promise<void> {
  const path = join(platform.config.dataDir, CREDENTIALS_FILE);
  const credentials = JSON.parse(await readFile(path, 'utf8')) as DemoCredentials;
  await writeFile(path, JSON.stringify({ ...credentials, dus }, null, 2) + '\n', { mode: 0o600 });
}

/** Fresh demo tokens and example PODs, written to `$DATA_DIR/demo-credentials.json` (mode 0600: it holds tokens). */
export async function writeDemoCredentials(
  platform: Platform,
): Promise<{ path: string; credentials: DemoCredentials }> {
  const credentials = await demoCredentials(seedDepsOf(platform), `${baseUrlOf(platform)}${API_PREFIX}`);
  await mkdir(platform.config.dataDir, { recursive: true });
  const path = join(platform.config.dataDir, CREDENTIALS_FILE);
  await writeFile(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return { path, credentials };
}
