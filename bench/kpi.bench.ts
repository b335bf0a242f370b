/**
 * Monitoring at national scale (issue 6): one day of KPI reports for 1,000,000 supply points, sent as CSV by 10
 * retailers at once (100,000 rows each), then the day computed and every aggregate read (by day, retailer, asset
 * provider, supply point, the distribution, the worst supply points); three days in a row, the median printed.
 * Target on PostgreSQL: ≤ 10 s; PGlite: reported. Baseline in the same run: one day's 1,000,000 rows COPYed into a
 * bare table (moving the data, nothing else).
 *
 *   npx tsx bench/kpi.bench.ts            (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test;
 *                                          BENCH_PODS to change the size, BENCH_RUNS the days, BENCH_SKIP_PGLITE=1
 *                                          for the server only)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../src/config.js';
import { demoConcentrators, demoPod, demoSupplyPoints, METERS_PER_CONCENTRATOR } from '../src/demo/demo-network.js';
import { addDays, KpiVersion } from '../src/domain/kpi.js';
import { createPlatform, type Platform } from '../src/main/platform.js';
import { simulators } from '../sim/index.js';
import type { DatabaseTarget } from '../src/storage/database.js';
import { format, median, printPeakMemory, withScratchDatabase } from './support.js';

const PODS = Number(process.env.BENCH_PODS ?? 1_000_000);
const RETAILERS = 10;
/** Each run is a day of its own (so each is a day's first reports, over the days before it): the median is printed. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DAYS = Array.from({ length: RUNS }, (_, i) => addDays('2026-03-09', i));
/** The platform's clock: the morning after the last day, so every day is over and reports for it are accepted. */
const NOW = new Date(`${addDays(DAYS.at(-1)!, 1)}T09:00:00Z`);

function retailerCsv(retailer: number, day: string): Buffer {
  const lines = ['POD;GIORNO;RICEVUTI'];
  for (let i = retailer; i < PODS; i += RETAILERS)
    lines.push(`${demoPod(i)};${day};${120 + (i % 7) - (i % 97 === 0 ? 30 : 0)}`);
  return Buffer.from(lines.join('\n'));
}

async function time<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

async function measure(name: string, target: DatabaseTarget, copyBaseline: (rows: string) => Promise<number>) {
  const platform: Platform = await createPlatform(
    loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chain2-kpi-bench-')),
      MASTER_KEY: 'c4'.repeat(32),
      LOG_LEVEL: 'warn',
    }),
    { database: target, logger: false, clock: { now: () => NOW }, simulators },
  );
  try {
    // The network and its retailers: set up, not measured.
    const [ids, setup] = await time(async () => {
      await platform.storage.supplyPoints.insertConcentrators(
        demoConcentrators(Math.ceil(PODS / METERS_PER_CONCENTRATOR)),
      );
      await platform.storage.supplyPoints.importMany(demoSupplyPoints(PODS));
      const retailerIds = Array.from({ length: RETAILERS }, () => uuidv7());
      for (const [r, retailerId] of retailerIds.entries())
        await platform.storage.participants.insertRetailer(
          { retailerId, name: `Retailer ${r}`, vatNumber: `R${r}` },
          NOW,
        );
      await platform.storage.participants.assignRetailers(
        Array.from({ length: PODS }, (_, i) => ({ pod: demoPod(i), retailerId: retailerIds[i % RETAILERS]! })),
      );
      // What autovacuum has long done to a live network's tables (visibility map, statistics) before a day's reports.
      await sql`VACUUM ANALYZE`.execute(platform.database.db);
      return retailerIds;
    });
    const kpi = platform.services.kpi;
    const operator = { role: 'dso_operator' as const, operatorId: uuidv7() };
    const runs: { ingest: number; compute: number; aggregates: number; total: number }[] = [];
    let bytes = 0;
    let performanceOfDay = 0;
    for (const day of DAYS) {
      // The meters' counts of the day, collected by telemanagement just before (not measured, not vacuumed).
      await platform.storage.kpiCompute.upsertMeterCounts(
        day,
        Array.from({ length: PODS }, (_, i) => ({ pod: demoPod(i), sent: 120 + (i % 7) })),
        NOW,
      );
      const files = Array.from({ length: RETAILERS }, (_, r) => retailerCsv(r, day));
      bytes = files.reduce((n, f) => n + f.length, 0);
      // The ten retailers send their files at once, as they would at the start of a day (each its own transaction).
      const [accepted, ingest] = await time(async () => {
        const results = await Promise.all(
          files.map((file, r) => kpi.submitCsv({ kind: 'retailer', id: ids[r]! }, file)),
        );
        return results.reduce((n, result) => n + result.accepted, 0);
      });
      if (accepted !== PODS) throw new Error(`accepted ${accepted} reports, expected ${PODS}`);
      const [pods, compute] = await time(() => kpi.computeDay(day, KpiVersion.provisional));
      if (pods !== PODS) throw new Error(`computed ${pods} supply points, expected ${PODS}`);
      const period = { from: day, to: day };
      const [overall, aggregates] = await time(async () => {
        const byDay = await kpi.performance(operator, { ...period, groupBy: 'day' });
        await kpi.performance(operator, { ...period, groupBy: 'retailer' });
        await kpi.performance(operator, { ...period, groupBy: 'assetProvider' });
        await kpi.performance(operator, { ...period, groupBy: 'pod', limit: 1000 });
        await kpi.distribution(operator, period);
        await kpi.podDays(operator, { ...period, limit: 50 });
        return byDay.rows[0]!;
      });
      performanceOfDay = overall.performance!;
      runs.push({ ingest, compute, aggregates, total: ingest + compute + aggregates });
    }
    const baseline = await copyBaseline(
      Array.from({ length: RETAILERS }, (_, r) =>
        retailerCsv(r, DAYS[0]!).toString('utf8').split('\n').slice(1).join('\n'),
      ).join('\n'),
    );
    const [ingest, compute, aggregates, total] = (['ingest', 'compute', 'aggregates', 'total'] as const).map((k) =>
      median(runs.map((r) => r[k])),
    );
    const each = (k: keyof (typeof runs)[number]) => `(runs: ${runs.map((r) => format(r[k], 2)).join(' / ')})`;
    console.log(
      `${name.padEnd(10)} ${format(PODS)} PODs, ${format(bytes / 1e6, 1)} MB of CSV a day, median of ${RUNS} days (setup ${format(setup, 1)} s, not counted)`,
    );
    console.log(`  ingest (parse, validate, rights, supersede)  ${format(ingest!, 2)} s   ${each('ingest')}`);
    console.log(`  compute the day                             ${format(compute!, 2)} s   ${each('compute')}`);
    console.log(
      `  every aggregate                              ${format(aggregates!, 2)} s   ${each('aggregates')}   (overall performance ${format(performanceOfDay * 100, 2)} %)`,
    );
    console.log(
      `  total                                        ${format(total!, 2)} s   ${each('total')}   target ≤ 10 s on PostgreSQL`,
    );
    console.log(
      `  baseline: COPY of one day's rows into a bare table ${format(baseline, 2)} s   → total = ${format(total! / baseline, 1)} × the bare COPY`,
    );
  } finally {
    await platform.close();
  }
}
async function copyInto(client: { query(text: string): Promise<unknown> }, copy: () => Promise<void>): Promise<number> {
  await client.query('CREATE TABLE IF NOT EXISTS bare_reports (pod text, day date, received integer)');
  const started = performance.now();
  await copy();
  return (performance.now() - started) / 1000;
}

await withScratchDatabase('chain2_kpi_bench', async (url) => {
  await measure('PostgreSQL', { kind: 'postgres', url, poolSize: 10 }, async (rows) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await copyInto(client, () =>
        pipeline(Readable.from([rows]), client.query(copyFrom("COPY bare_reports FROM STDIN (DELIMITER ';')"))),
      );
    } finally {
      await client.end();
    }
  });
});
if (!process.env.BENCH_SKIP_PGLITE) {
  const { PGlite } = await import('@electric-sql/pglite');
  await measure('PGlite', { kind: 'embedded', dataDir: undefined }, async (rows) => {
    const db = new PGlite();
    try {
      return await copyInto(db, async () => {
        await db.query("COPY bare_reports FROM '/dev/blob' (DELIMITER ';')", [], { blob: new Blob([rows]) });
      });
    } finally {
      await db.close();
    }
  });
}
printPeakMemory();
