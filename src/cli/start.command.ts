import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { API_PREFIX } from '../http/app.js';
import { baseUrlOf, CREDENTIALS_FILE, seedDemoIfEmpty, writeDemoCredentials } from '../main/demo.js';
import { createPlatform } from '../main/platform.js';
import { untilSignal } from './signals.js';

/** Serves until SIGINT or SIGTERM, then stops the workflow, drains HTTP and closes the database. */
export async function startCommand(config: Config, options: { demo: boolean }): Promise<number> {
  const platform = await createPlatform(config);
  const log = platform.app.log;
  try {
    const [runsApi, runsWorker] = [config.role !== 'worker', config.role !== 'api'];
    if (runsWorker) await platform.workflow.start();
    // The demo's associations are programmed by a workflow: only a process that runs one seeds it.
    const demo = options.demo && config.role === 'both';
    const seeded = demo && await seedDemoIfEmpty(platform);
    if (!runsApi) {
      console.log(`\nchain2-platform worker is running (ROLE=worker): request workflow on ${config.databaseUrl ? 'the PostgreSQL server' : 'PGlite'}\n  Stop:         Ctrl+C\n`);
      await untilSignal();
      log.info('shutting down');
      await platform.close();
      return 0;
    }
    await platform.app.listen({ host: config.host, port: config.port });
    if (demo) {
      const credentialsPath = join(config.dataDir, CREDENTIALS_FILE);
      // Tokens are stored hashed: rewrite the file (new tokens) only when there is none to keep.
      if (seeded || !existsSync(credentialsPath)) await writeDemoCredentials(platform);
      log.info({ credentialsPath }, seeded ? 'demo network seeded' : 'demo data already present');
    }
  } catch (error) {
    await platform.close();
    throw error;
  }
  const base = baseUrlOf(platform);
  const roleLine = config.role === 'api' ? '\n  Role:         api only (ROLE=api): requests are moved on by worker processes' : '';
  const database = config.databaseUrl ? 'PostgreSQL server (DATABASE_URL)' : `embedded (${join(config.dataDir, 'db')})`;
  console.log(`\nchain2-platform is running\n  API:          ${base}${API_PREFIX}\n  OpenAPI:      ${base}${API_PREFIX}/openapi.json`
    + `\n  Database:     ${database}${roleLine}`
    + (options.demo && config.role === 'both' ? `\n  Demo tokens:  ${join(config.dataDir, CREDENTIALS_FILE)}` : '') + '\n  Stop:         Ctrl+C\n');

  await untilSignal();
  log.info('shutting down');
  await platform.close();
  return 0;
}
