/**
 * Eligibility check under HTTP load with 1,000,000 supply points loaded, on PostgreSQL and on PGlite.
 * Prints, per database: the COPY load time, then req/s and p99 of the eligibility check beside the same
 * server's /healthz (the baseline: HTTP + Fastify with no database), medians of ROUNDS rounds.
 *
 *   npm run bench:eligibility            (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_ROWS=200000 BENCH_SECONDS=3 npm run bench:eligibility    (quicker, smaller)
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import {
  demoPod,
  demoSupplyPoints,
  categoryOf,
  DemoCategory,
  demoConcentrators,
  METERS_PER_CONCENTRATOR,
} from '../src/demo/demo-network.js';
import { AccessService } from '../src/services/access.service.js';
import { migrate, openDatabase, type DatabaseTarget } from '../src/storage/database.js';
import { sqlStorage } from '../src/storage/sql-storage.js';
import { format, median, printPeakMemory, startServer, withScratchDatabase } from './support.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const MASTER_KEY = 'b2'.repeat(32);

interface Figures {
  database: string;
  loadSeconds: number;
  baseline: { rps: number; p99: number };
  eligibility: { rps: number; p99: number };
  /** The server process's peak resident memory (KB). */
  serverPeakKb: number;
}

async function load(target: DatabaseTarget): Promise<{ loadSeconds: number; token: string }> {
  const open = await openDatabase(target);
  try {
    await migrate(open.db);
    const storage = sqlStorage(open);
    await storage.supplyPoints.insertConcentrators(demoConcentrators(Math.ceil(ROWS / METERS_PER_CONCENTRATOR)));
    const started = performance.now();
    const loaded = await storage.supplyPoints.importMany(demoSupplyPoints(ROWS));
    const loadSeconds = (performance.now() - started) / 1000;
    if (loaded !== ROWS || (await storage.supplyPoints.count()) !== ROWS)
      throw new Error(`loaded ${loaded} rows, expected ${ROWS}`);
    const assetProviderId = uuidv7();
    const representativeId = uuidv7();
    await storage.participants.insertAssetProvider(
      { assetProviderId, name: 'Bench AP', vatNumber: 'IT-BENCH', status: 'active' },
      new Date(),
    );
    await storage.participants.insertRepresentative(
      { representativeId, assetProviderId, email: 'bench@bench.example', fullName: 'Bench' },
      new Date(),
    );
    const token = await new AccessService(storage.tokens, { now: () => new Date() }, uuidv7).issueToken(
      { representativeId },
      'bench',
    );
    return { loadSeconds, token };
  } finally {
    await open.close();
  }
}

async function hammer(url: string, token: string, path: () => string): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

/** Checks answers are right, not only fast: one POD of each category. */
async function verify(url: string, token: string): Promise<void> {
  const expected: [number, boolean][] = [
    [13, true],
    [0, false],
    [3, false],
    [8, false],
  ];
  for (const [index, eligible] of expected) {
    const body: { eligible: boolean; pod: string } = (await (
      await fetch(`${url}/api/v1/supply-points/${demoPod(index)}/eligibility`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { eligible: boolean; pod: string };
    if (body.eligible !== eligible || body.pod !== demoPod(index))
      throw new Error(`wrong answer for ${demoPod(index)}: ${JSON.stringify(body)}`);
  }
  if (categoryOf(13) !== DemoCategory.eligible) throw new Error('demo categories changed: update verify()');
}

async function measure(database: string, target: DatabaseTarget, env: Record<string, string>): Promise<Figures> {
  console.error(`${database}: loading ${format(ROWS)} supply points…`);
  const { loadSeconds, token } = await load(target);
  const server = await startServer({ ...env, MASTER_KEY });
  try {
    await verify(server.url, token);
    let seed = 1;
    const randomPod = () => `/api/v1/supply-points/${demoPod((seed = (seed * 48271) % 2147483647) % ROWS)}/eligibility`;
    await hammer(server.url, token, randomPod); // warm-up: JIT, caches, connection pool
    const baseline: { rps: number; p99: number }[] = [];
    const eligibility: { rps: number; p99: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await hammer(server.url, token, () => '/healthz'));
      eligibility.push(await hammer(server.url, token, randomPod));
    }
    const pick = (runs: { rps: number; p99: number }[]) => ({
      rps: median(runs.map((r) => r.rps)),
      p99: median(runs.map((r) => r.p99)),
    });
    return {
      database,
      loadSeconds,
      baseline: pick(baseline),
      eligibility: pick(eligibility),
      serverPeakKb: server.peakRssKb(),
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  const figures: Figures[] = [];
  figures.push(
    await withScratchDatabase('chain2_bench', (url) =>
      measure('PostgreSQL', { kind: 'postgres', url, poolSize: 10 }, { DATABASE_URL: url }),
    ),
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'chain2-bench-'));
  try {
    // A million supply points: PostgreSQL's default shared_buffers (128 MB), not the demo-sized default (16 MB).
    figures.push(
      await measure(
        'PGlite',
        { kind: 'embedded', dataDir: join(dataDir, 'db') },
        { DATA_DIR: dataDir, EMBEDDED_SHARED_BUFFERS_MB: '128' },
      ),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(
    `\nEligibility check, ${format(ROWS)} supply points, ${CONNECTIONS} connections, median of ${ROUNDS} × ${SECONDS} s (load generator on the same cores)`,
  );
  console.log(
    'database    | COPY load | rows/s    | /healthz req/s (p99) | eligibility req/s (p99) | eligibility/healthz',
  );
  for (const f of figures) {
    console.log(
      `${f.database.padEnd(11)} | ${format(f.loadSeconds, 1).padStart(7)} s | ${format(ROWS / f.loadSeconds).padStart(9)} | ` +
        `${format(f.baseline.rps).padStart(8)} (${f.baseline.p99} ms)`.padEnd(20) +
        ' | ' +
        `${format(f.eligibility.rps).padStart(8)} (${f.eligibility.p99} ms)`.padEnd(23) +
        ` | ${format(f.eligibility.rps / f.baseline.rps, 2)}`,
    );
  }
  console.log(`server peak RSS: ${figures.map((f) => `${f.database} ${format(f.serverPeakKb / 1024)} MB`).join(', ')}`);
  printPeakMemory();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
