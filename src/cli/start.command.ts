import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { API_PREFIX } from '../http/app.js';
import { startHousekeeping, startMonitoring, type Periodic } from '../main/monitoring.js';
import { baseUrlOf, CREDENTIALS_FILE, recordDemoDus, seedDemoIfEmpty, writeDemoCredentials } from '../main/demo.js';
import { builtPortal, createPlatform } from '../main/platform.js';
import { restoreFieldNetwork } from '../main/restore-field-network.js';
import type { DemoChain2, Simulators } from '../main/simulators.js';
import { untilSignal } from './signals.js';

/** Days the demo collects on start, before the first nightly run (the simulated meters record 2 days back). */
const DEMO_BACKFILL_DAYS = 2;

/** Serves until SIGINT or SIGTERM, then stops the workflow, drains HTTP and closes the database. */
export async function startCommand(
  config: Config,
  options: { demo: boolean; simulators: Simulators },
): Promise<number> {
  const platform = await createPlatform(config, { simulators: options.simulators });
  const log = platform.app.log;
  let chain2: DemoChain2 | undefined;
  const periodic: Periodic[] = [];
  const close = async () => {
    for (const job of periodic) await job.stop();
    await chain2?.close();
    await platform.close();
  };
  try {
    const [runsApi, runsWorker] = [config.role !== 'worker', config.role !== 'api'];
    if (runsWorker) {
      // An in-process network's meters live in memory: give them back what the active associations wrote.
      const restored = await restoreFieldNetwork(platform);
      if (restored > 0) log.info({ meters: restored }, 'field network restored from the active associations');
      await platform.workflow.start();
      await platform.collection.start();
      periodic.push(startMonitoring(platform), startHousekeeping(platform));
    }
    // The demo's associations are programmed by a workflow: only a process that runs one seeds it.
    const demo = options.demo && config.role === 'both';
    const seeded = demo && (await seedDemoIfEmpty(platform));
    // The meters of a new network hold their last days: collect them now, through the daily collection itself.
    if (demo) await platform.collection.backfill(DEMO_BACKFILL_DAYS);
    if (!runsApi) {
      console.log(
        `\nchain2-platform worker is running (ROLE=worker): request workflow on ${config.databaseUrl ? 'the PostgreSQL server' : 'PGlite'}\n  Stop:         Ctrl+C\n`,
      );
      await untilSignal();
      log.info('shutting down');
      await close();
      return 0;
    }
    await platform.app.listen({ host: config.host, port: config.port });
    if (demo && platform.fieldNetwork) {
      chain2 = await options.simulators.startDemoChain2(platform, {
        host: config.host,
        duPort: config.chain2.duPort,
        lossRate: config.chain2.lossRate,
        seed: config.simulator.seed,
      });
    }
    if (demo) {
      const credentialsPath = join(config.dataDir, CREDENTIALS_FILE);
      // Tokens are stored hashed: rewrite the file (new tokens) only when there is none to keep.
      if (seeded || !existsSync(credentialsPath)) await writeDemoCredentials(platform);
      if (chain2) await recordDemoDus(platform, chain2.endpoints());
      log.info({ credentialsPath }, seeded ? 'demo network seeded' : 'demo data already present');
    }
  } catch (error) {
    await close();
    throw error;
  }
  const base = baseUrlOf(platform);
  const roleLine =
    config.role === 'api' ? '\n  Role:         api only (ROLE=api): requests are moved on by worker processes' : '';
  const database = config.databaseUrl ? 'PostgreSQL server (DATABASE_URL)' : `embedded (${join(config.dataDir, 'db')})`;
  const watch = chain2?.endpoints()[0];
  const portal = builtPortal() ? `${base}/` : 'not built (run npm run build:web, or start with npm start)';
  console.log(
    `\nchain2-platform is running\n  Portal:       ${portal}\n  API:          ${base}${API_PREFIX}\n  OpenAPI:      ${base}${API_PREFIX}/openapi.json` +
      `\n  Database:     ${database}${roleLine}` +
      (options.demo && config.role === 'both'
        ? `\n  Demo logins:  ${join(config.dataDir, CREDENTIALS_FILE)}   (portal email/password and API tokens)`
        : '') +
      (chain2
        ? `\n  Chain 2:      ${chain2.endpoints().length} emulated DUs (one per programmed meter, listed in the file above), simulated time ×${config.simulator.timeScale}` +
          (watch ? `\n  Watch a DU:   ${watch.ws}   (WebSocket: send "!", then frames arrive; POD ${watch.pod})` : '') +
          `\n  Power line:   ${base.replace(/^http/, 'ws')}${chain2.powerLinePath}<MAC>   (for chain2 du --medium ${base.replace(/^http/, 'ws')}${chain2.powerLinePath.slice(0, -1)})`
        : '') +
      '\n  Stop:         Ctrl+C\n',
  );

  await untilSignal();
  log.info('shutting down');
  await close();
  return 0;
}
