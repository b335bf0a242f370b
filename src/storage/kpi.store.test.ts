import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, KpiVersion, romeMidnight } from '../domain/kpi.js';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { addSupplyPoints, createTestPlatform, makeRetailer, type TestPlatform } from '../../test/support/platform.js';
import { SqlKpiStore } from './kpi.store.js';

const server = backends().find((b) => b.name === 'PostgreSQL')!;

/** A day computed in ranges of supply points at once (on a server) is the same day as computed in one go. */
describe.skipIf(!server.available)('computing a day in ranges of supply points at once (PostgreSQL)', () => {
  const day = '2026-03-09';
  const window = { start: romeMidnight(day), end: romeMidnight(addDays(day, 1)) };
  const at = new Date('2026-03-10T06:00:00Z');
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  beforeAll(async () => {
    scratch = await server.create();
    platform = await createTestPlatform(scratch.target, {}, { clock: { now: () => at } });
    const points = await addSupplyPoints(platform, ...Array.from({ length: 600 }, () => ({})));
    const pods = points.map((p) => p.pod);
    const [a, b] = [await makeRetailer(platform, pods.slice(0, 400)), await makeRetailer(platform, pods.slice(400, 550))];
    // Counts for all but the first 20 (17 of them reported: missing_meter_count), reports for all but every 7th of
    // those served: 580 counted + 17 reported only = 597 in scope.
    await platform.storage.kpi.upsertMeterCounts(day, pods.slice(20).map((pod, i) => ({ pod, sent: 100 + (i % 3) })), at);
    for (const [retailer, served] of [[a, pods.slice(0, 400)], [b, pods.slice(400, 550)]] as const) {
      const reports = served.flatMap((pod, i) => (i % 7 === 0 ? [] : [{ pod, day, received: 90 + (i % 13), receivedByType: null }]));
      await platform.storage.transaction((tx) => tx.kpi.insertReports({ kind: 'retailer', id: retailer.retailerId }, reports as never, at));
    }
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  async function snapshot(version: KpiVersion) {
    const db = platform.database.db;
    const rows = await sql<{ flags: string[] }>`SELECT pod, asset_provider_id, retailer_id, sent, received, flags FROM kpi_daily WHERE day = ${day} AND version = ${version} ORDER BY pod`.execute(db);
    // A range writes its own totals (readers sum them): compared summed per company and band.
    const totals = await sql`SELECT asset_provider_id, retailer_id, bucket, sum(pod_days) AS pod_days, sum(sent) AS sent, sum(received) AS received,
        sum(missing_report) AS missing_report, sum(missing_meter_count) AS missing_meter_count, sum(inconsistent) AS inconsistent, sum(below_target) AS below_target
      FROM kpi_daily_totals WHERE day = ${day} AND version = ${version} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
    return { rows: rows.rows, totals: totals.rows };
  }

  it('cuts the supply points in ranges of about the same size that cover them all', async () => {
    const store = platform.storage.kpi as SqlKpiStore;
    await sql`ANALYZE meter_daily_counts`.execute(platform.database.db);
    const ranges = await store.podRanges(3);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toMatchObject({ from: null });
    expect(ranges[2]).toMatchObject({ to: null });
    expect(ranges[1]!.from).toBe(ranges[0]!.to);
    expect(ranges[2]!.from).toBe(ranges[1]!.to);
    const sizes = await Promise.all(ranges.map(async (r) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM meter_daily_counts
      WHERE (${r!.from}::text IS NULL OR pod >= ${r!.from}) AND (${r!.to}::text IS NULL OR pod < ${r!.to})`.execute(platform.database.db)).rows[0]!.n)));
    expect(sizes.reduce((n, s) => n + s, 0)).toBe(580);
    for (const size of sizes) expect(size).toBeGreaterThan(150);
  });

  it('writes the same rows and totals in 3 ranges as in one, and records the run once all are written', async () => {
    expect(await platform.storage.kpi.compute(day, KpiVersion.provisional, window, 0.99, at, { parts: 1 })).toBe(597);
    expect(await platform.storage.kpi.compute(day, KpiVersion.final, window, 0.99, at, { parts: 3 })).toBe(597);
    const [one, ranged] = [await snapshot(KpiVersion.provisional), await snapshot(KpiVersion.final)];
    expect(ranged.rows).toHaveLength(597);
    expect(ranged).toEqual(one);
    expect(ranged.rows.filter((r) => r.flags.includes('missing_meter_count'))).toHaveLength(17);
    // Each range wrote its own totals: proof that the day was computed in ranges, not in one go.
    const totalsRows = async (version: KpiVersion) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM kpi_daily_totals
      WHERE day = ${day} AND version = ${version}`.execute(platform.database.db)).rows[0]!.n);
    expect(await totalsRows(KpiVersion.final)).toBeGreaterThan(await totalsRows(KpiVersion.provisional));
    // Again, in 3 ranges: the version replaced, not doubled.
    expect(await platform.storage.kpi.compute(day, KpiVersion.final, window, 0.99, at, { parts: 3 })).toBe(597);
    expect(await snapshot(KpiVersion.final)).toEqual(one);
    expect(await platform.storage.kpi.runs(day, day)).toMatchObject([{ version: 1, pods: 597 }, { version: 2, pods: 597 }]);
  });

  it('leaves a recorded version alone when asked only if missing (another process computed it meanwhile)', async () => {
    const later = new Date(at.getTime() + 60_000);
    expect(await platform.storage.kpi.compute(day, KpiVersion.final, window, 0.99, later, { parts: 3, ifMissing: true })).toBe(597);
    expect((await platform.storage.kpi.runs(day, day)).find((r) => r.version === KpiVersion.final)!.computedAt).toEqual(at);
  });

  it('computes a version once at a time: two at once give the same day, not twice its rows', async () => {
    const results = await Promise.all([1, 2].map(() => platform.storage.kpi.compute(day, KpiVersion.final, window, 0.99, at, { parts: 3 })));
    expect(results).toEqual([597, 597]);
    expect(await snapshot(KpiVersion.final)).toEqual(await snapshot(KpiVersion.provisional));
  });
});
