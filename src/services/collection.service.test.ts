import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { fakeHeadEnd } from '../../test/support/day-files.js';
import { makeSupplyPoint, manualClock, nextMac } from '../../test/support/platform.js';
import { Chain2Channel } from '../domain/association.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import { migrate, openDatabase, type OpenDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import { CollectionService } from './collection.service.js';
import { KpiService } from './kpi.service.js';
import type { Storage } from './ports/index.js';

const HOUR = 3_600_000;

/** The collection service on the real stores, a manual meters' clock and a stand-in head-end, each run day by hand. */
describe.each(backends())('daily collection on $name', (backend) => {
  let scratch: ScratchDatabase;
  let open: OpenDatabase;
  let storage: Storage;
  let concentrators = 0;
  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    open = await openDatabase(scratch.target);
    await migrate(open.db);
    storage = sqlStorage(open);
  });
  afterAll(async () => {
    await open?.close();
    await scratch?.drop();
  });

  /** A network of its own (the days are shared by the cases): concentrators of `sizes` meters each. */
  async function network(...sizes: number[]) {
    const ids = sizes.map(() => `CS${String(++concentrators).padStart(6, '0')}`);
    await storage.supplyPoints.insertConcentrators(ids.map((concentratorId) => ({ concentratorId, substation: 'C' })));
    const pods = sizes.map((n, i) => {
      const rows = Array.from({ length: n }, () => makeSupplyPoint({ concentratorId: ids[i]! }));
      return rows;
    });
    await storage.supplyPoints.importMany(pods.flat());
    return { ids, pods: pods.map((rows) => rows.map((r) => r.pod).sort()) };
  }

  /** 01:30 in Rome on 2 March 2026: the 1st's collection is due (COLLECTION_START_HOUR 1). */
  function collectionWith(headEnd: ReturnType<typeof fakeHeadEnd>, maxDaysLate = 2) {
    const clock = manualClock(new Date('2026-03-02T00:30:00Z'));
    const collection = new CollectionService({
      storage,
      headEnd: headEnd.headEnd,
      clock,
      settings: { startHour: 1, maxDaysLate },
    });
    /** One day's run as the workflow carries it out: schedule, then each concentrator-day read; returns them. */
    const runDue = async (ids: readonly string[]) => {
      const due = (await storage.transaction((tx) => collection.scheduleDue(tx))).filter((d) =>
        ids.includes(d.concentratorId),
      );
      for (const { concentratorId, day } of due) await collection.collectConcentratorDay(concentratorId, day);
      return due;
    };
    return { collection, clock, runDue };
  }
  const ofThem = (ids: readonly string[]) => async (collection: CollectionService, day: string) =>
    (await collection.status(day)).concentrators.filter((c) => ids.includes(c.concentratorId));

  describe.skipIf(!backend.available)('', () => {
    it("waits for the start hour, reads yesterday once, asks a silent meter again on the next days' runs (late when it comes), and stops past COLLECTION_MAX_DAYS_LATE", async () => {
      const { ids, pods } = await network(3, 2);
      const [[a], [c]] = pods as [[Pod, Pod, Pod], [Pod, Pod]];
      const field = fakeHeadEnd();
      const { collection, clock, runDue } = collectionWith(field, 2);
      const status = ofThem(ids);
      clock.advance(-HOUR); // 00:30 in Rome: the 1st not yet (the 28th is, its run day having started)
      expect(await runDue(ids)).toEqual(ids.map((concentratorId) => ({ concentratorId, day: '2026-02-28' })));
      clock.advance(HOUR);
      field.silent.add(a).add(c);
      expect(await runDue(ids)).toEqual(ids.map((concentratorId) => ({ concentratorId, day: '2026-03-01' })));
      expect(await runDue(ids)).toEqual([]); // once per run day
      // The 2nd's run: the 1st's silent meters asked again, only them; a still silent, c answers.
      field.silent.delete(c);
      clock.advance(24 * HOUR);
      const reads = field.reads.length;
      await runDue(ids);
      expect(
        field.reads
          .slice(reads)
          .filter((r) => r.day === '2026-03-01')
          .map((r) => r.pods),
      ).toEqual([[a], [c]]);
      // The 3rd's run: the 1st is 2 days late (COLLECTION_MAX_DAYS_LATE here), still asked; on the 4th's it is not.
      clock.advance(24 * HOUR);
      await runDue(ids);
      clock.advance(24 * HOUR);
      field.silent.clear();
      const before = field.reads.length;
      await runDue(ids);
      expect(field.reads.slice(before).some((r) => r.day === '2026-03-01')).toBe(false);
      expect(await status(collection, '2026-03-01')).toEqual([
        expect.objectContaining({ concentratorId: ids[0], meters: 3, collected: 2, late: 0, missing: 1 }),
        expect.objectContaining({ concentratorId: ids[1], meters: 2, collected: 2, late: 1, missing: 0 }),
      ]);
    });

    it('lists the concentrators worst first (most missing, then most late) with totals, and refuses a day that is not a date', async () => {
      const { ids, pods } = await network(2, 2, 2);
      const field = fakeHeadEnd();
      const { collection, clock, runDue } = collectionWith(field);
      clock.advance(10 * 24 * HOUR); // the 11th: a day of its own
      field.silent.add(pods[1]![0]!).add(pods[1]![1]!).add(pods[2]![0]!);
      await runDue(ids);
      field.silent.delete(pods[2]![0]!);
      clock.advance(24 * HOUR);
      await runDue(ids);
      const day = '2026-03-11';
      const { concentrators, totals } = await collection.status(day);
      expect(
        concentrators.filter((c) => ids.includes(c.concentratorId)).map((c) => [c.concentratorId, c.missing, c.late]),
      ).toEqual([
        [ids[1], 2, 0],
        [ids[2], 0, 1],
        [ids[0], 0, 0],
      ]);
      const sum = (of: (c: (typeof concentrators)[number]) => number) => concentrators.reduce((n, c) => n + of(c), 0);
      expect(totals).toEqual({
        concentrators: concentrators.length,
        meters: sum((c) => c.meters),
        collected: sum((c) => c.collected),
        late: sum((c) => c.late),
        missing: sum((c) => c.missing),
        linkSeconds: sum((c) => c.linkSeconds),
        lastAttemptAt: clock.now(),
      });
      await expect(collection.status('2026-02-30')).rejects.toMatchObject({
        code: 'invalid_input',
        details: [expect.objectContaining({ field: 'day' })],
      });
    });

    it('gives the monitoring the frames the meters sent, and a count collected after the day was computed has it computed again', async () => {
      const { ids, pods } = await network(2);
      const [early, late] = pods[0] as [Pod, Pod];
      const assetProviderId = uuidv7();
      await storage.participants.insertAssetProvider(
        { assetProviderId, name: `AP ${assetProviderId}`, vatNumber: assetProviderId, status: 'active' },
        new Date(),
      );
      const field = fakeHeadEnd({ framesOf: () => 97 });
      const { clock, runDue } = collectionWith(field);
      clock.advance(20 * 24 * HOUR); // 01:30 on the 22nd: the 21st collected
      const day = '2026-03-21';
      const kpi = new KpiService({
        storage,
        clock,
        settings: { target: 0.99, cutoffHour: 6, lookbackDays: 3, computeParts: 1 },
        csvLimits: { maxBytes: 1 << 20, maxRows: 1000 },
      });
      await storage.associations.insertMany(
        [early, late].map((pod) => ({
          associationId: uuidv7(),
          assetProviderId,
          pod,
          channel: Chain2Channel.plcBandC,
          du: { name: 'DU', macAddress: nextMac() as MacAddress, hardwareVersion: 'h', softwareVersion: 's' },
          sealedKey: new Uint8Array([1]),
          keyLast4: 'ABCD',
          at: new Date('2026-03-01T00:00:00Z'),
        })),
      );
      await storage.sql.executeSql('UPDATE associations SET active_from = $2 WHERE pod = ANY($1)', [
        [early, late],
        new Date('2026-03-01T00:00:00Z'),
      ]);
      field.silent.add(late);
      await runDue(ids);
      clock.advance(5 * HOUR); // 06:30: the 21st's provisional version
      expect(await kpi.runDue()).toContainEqual({ day, version: 1 });
      const sentOf = async () =>
        (
          await storage.kpiFigures.podDays({
            from: day,
            to: day,
            version: 'latest',
            scope: { all: true },
            pod: late,
            order: 'day',
            limit: 10,
          })
        ).map((d) => [d.sent, d.flags]);
      expect(await sentOf()).toEqual([[null, expect.arrayContaining(['missing_meter_count'])]]);
      expect(await kpi.runDue()).toEqual([]);
      // The 23rd's run brings the silent meter's day: the 21st is computed again, its latest version.
      field.silent.clear();
      clock.advance(19 * HOUR);
      await runDue(ids);
      expect(await kpi.runDue()).toEqual(expect.arrayContaining([{ day, version: 1 }]));
      expect(await sentOf()).toEqual([[97, expect.not.arrayContaining(['missing_meter_count'])]]);
      expect(await storage.kpiCompute.staleDays()).not.toContain(day);
    });
  });
});
