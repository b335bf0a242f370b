import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KpiVersion, type AssociationActivity } from '../domain/kpi.js';
import type { Pod } from '../domain/identifiers.js';
import { KpiService } from '../services/kpi.service.js';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeRetailer,
  nextMac,
  type TestPlatform,
} from '../../test/support/platform.js';
import type { SqlAssociationStore } from './association.store.js';

const server = backends().find((b) => b.name === 'PostgreSQL')!;

/**
 * Associations of `pods` with the given activity on the meters' clock, as the request workflow leaves them: created
 * pending, then active from `activeFrom` and deleted at `activeUntil` (the head-end's acknowledgements), or rejected.
 */
async function associate(
  platform: TestPlatform,
  assetProviderId: string,
  pods: readonly string[],
  activity: AssociationActivity,
): Promise<void> {
  const store = platform.storage.associations as SqlAssociationStore;
  const associations = pods.map((pod) => ({
    associationId: uuidv7(),
    assetProviderId,
    pod: pod as Pod,
    channel: 'plc_band_c' as const,
    sealedKey: new Uint8Array(16),
    keyLast4: 'EEFF',
    du: { name: 'DU', macAddress: nextMac() as never, hardwareVersion: 'HW-2.1', softwareVersion: 'SW-1.4.0' },
    at: new Date('2026-01-01T00:00:00Z'),
  }));
  await store.insertMany(associations);
  const move = (status: 'active' | 'rejected' | 'deleted', meterAt?: Date) =>
    store.setStatusMany(
      associations.map((a) => ({ associationId: a.associationId, status, meterAt })),
      new Date('2026-06-01T00:00:00Z'),
    );
  if (activity.activeFrom === null) return move('rejected');
  await move('active', activity.activeFrom);
  if (activity.activeUntil !== null) await move('deleted', activity.activeUntil);
}

/**
 * A day computed in ranges of supply points at once (on a server: KpiService.computeDay over the store's pieces) is
 * the same day as computed in one go. The ranges are cut at PostgreSQL's statistics; the embedded database has one
 * connection, so one range.
 */
describe.skipIf(!server.available)('computing a day in ranges of supply points at once (PostgreSQL)', () => {
  const day = '2026-03-09';
  const at = new Date('2026-03-10T06:00:00Z');
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  /** The platform's monitoring computing a day in `parts` ranges, at `now`. */
  const computing = (parts: number, now = at) =>
    new KpiService({
      storage: platform.storage,
      clock: { now: () => now },
      settings: { ...platform.config.kpi, computeParts: parts },
      csvLimits: { maxBytes: platform.config.kpi.maxBytes, maxRows: platform.config.kpi.maxRows },
    });
  beforeAll(async () => {
    scratch = await server.create();
    platform = await createTestPlatform(scratch.target, {}, { clock: { now: () => at } });
    const points = await addSupplyPoints(platform, ...Array.from({ length: 600 }, () => ({})));
    const pods = points.map((p) => p.pod);
    const [a, b] = [
      await makeRetailer(platform, pods.slice(0, 400)),
      await makeRetailer(platform, pods.slice(400, 550)),
    ];
    // The first 100 associated all day: expected. Counts for all but the first 20 (expected: missing_meter_count),
    // reports for all but every 7th of those served (expected among the first 100: missing_report): 580 counted + 20
    // expected or reported = 600 in scope.
    await associate(platform, (await makeAssetProvider(platform)).assetProviderId, pods.slice(0, 100), {
      activeFrom: new Date('2026-03-01T00:00:00Z'),
      activeUntil: null,
    });
    await platform.storage.kpiCompute.upsertMeterCounts(
      day,
      pods.slice(20).map((pod, i) => ({ pod, sent: 100 + (i % 3) })),
      at,
    );
    for (const [retailer, served] of [
      [a, pods.slice(0, 400)],
      [b, pods.slice(400, 550)],
    ] as const) {
      const reports = served.flatMap((pod, i) =>
        i % 7 === 0 ? [] : [{ pod, day, received: 90 + (i % 13), receivedByType: null }],
      );
      await platform.storage.transaction((tx) =>
        tx.kpiReports.insertReports({ kind: 'retailer', id: retailer.retailerId }, reports as never, at),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  async function snapshot(version: KpiVersion) {
    const db = platform.database.db;
    const rows = await sql<{
      flags: string[];
    }>`SELECT pod, asset_provider_id, retailer_id, sent, received, flags FROM kpi_daily WHERE day = ${day} AND version = ${version} ORDER BY pod`.execute(
      db,
    );
    // A range writes its own totals (readers sum them): compared summed per company and band.
    const totals =
      await sql`SELECT asset_provider_id, retailer_id, bucket, sum(pod_days) AS pod_days, sum(sent) AS sent, sum(received) AS received,
        sum(missing_report) AS missing_report, sum(missing_meter_count) AS missing_meter_count, sum(inconsistent) AS inconsistent, sum(below_target) AS below_target
      FROM kpi_daily_totals WHERE day = ${day} AND version = ${version} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
    return { rows: rows.rows, totals: totals.rows };
  }

  it('cuts the supply points in ranges of about the same size that cover them all', async () => {
    const store = platform.storage.kpiCompute;
    await sql`ANALYZE meter_daily_counts`.execute(platform.database.db);
    const ranges = await store.podRanges(3);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toMatchObject({ from: null });
    expect(ranges[2]).toMatchObject({ to: null });
    expect(ranges[1]!.from).toBe(ranges[0]!.to);
    expect(ranges[2]!.from).toBe(ranges[1]!.to);
    const sizes = await Promise.all(
      ranges.map(async (r) =>
        Number(
          (
            await sql<{ n: string }>`SELECT count(*) AS n FROM meter_daily_counts
      WHERE (${r!.from}::text IS NULL OR pod >= ${r!.from}) AND (${r!.to}::text IS NULL OR pod < ${r!.to})`.execute(
              platform.database.db,
            )
          ).rows[0]!.n,
        ),
      ),
    );
    expect(sizes.reduce((n, s) => n + s, 0)).toBe(580);
    for (const size of sizes) expect(size).toBeGreaterThan(150);
  });

  it('writes the same rows and totals in 3 ranges as in one, and records the run once all are written', async () => {
    expect(await computing(1).computeDay(day, KpiVersion.provisional)).toBe(600);
    expect(await computing(3).computeDay(day, KpiVersion.final)).toBe(600);
    const [one, ranged] = [await snapshot(KpiVersion.provisional), await snapshot(KpiVersion.final)];
    expect(ranged.rows).toHaveLength(600);
    expect(ranged).toEqual(one);
    expect(ranged.rows.filter((r) => r.flags.includes('missing_meter_count'))).toHaveLength(20);
    expect(ranged.rows.filter((r) => r.flags.includes('missing_report'))).toHaveLength(15); // every 7th of the first 100
    // Each range wrote its own totals: proof that the day was computed in ranges, not in one go.
    const totalsRows = async (version: KpiVersion) =>
      Number(
        (
          await sql<{ n: string }>`SELECT count(*) AS n FROM kpi_daily_totals
      WHERE day = ${day} AND version = ${version}`.execute(platform.database.db)
        ).rows[0]!.n,
      );
    expect(await totalsRows(KpiVersion.final)).toBeGreaterThan(await totalsRows(KpiVersion.provisional));
    // Again, in 3 ranges: the version replaced, not doubled.
    expect(await computing(3).computeDay(day, KpiVersion.final)).toBe(600);
    expect(await snapshot(KpiVersion.final)).toEqual(one);
    expect(await platform.storage.kpiCompute.runs(day, day)).toMatchObject([
      { version: 1, pods: 600 },
      { version: 2, pods: 600 },
    ]);
  });

  it('leaves a recorded version alone when asked only if missing (another process computed it meanwhile)', async () => {
    const later = new Date(at.getTime() + 60_000);
    expect(await computing(3, later).computeDay(day, KpiVersion.final, { ifMissing: true })).toBe(600);
    expect(
      (await platform.storage.kpiCompute.runs(day, day)).find((r) => r.version === KpiVersion.final)!.computedAt,
    ).toEqual(at);
  });

  it('computes a version once at a time: two at once give the same day, not twice its rows', async () => {
    const results = await Promise.all([1, 2].map(() => computing(3).computeDay(day, KpiVersion.final)));
    expect(results).toEqual([600, 600]);
    expect(await snapshot(KpiVersion.final)).toEqual(await snapshot(KpiVersion.provisional));
  });
});
