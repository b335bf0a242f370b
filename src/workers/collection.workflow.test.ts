import { afterEach, describe, expect, it } from 'vitest';
import { backends } from '../../test/support/databases.js';
import { fakeHeadEnd } from '../../test/support/day-files.js';
import { makeSupplyPoint, manualClock } from '../../test/support/platform.js';
import { CollectionService } from '../services/collection.service.js';
import type { Logger, SqlExecutor, Storage } from '../services/ports/index.js';
import { migrate, openDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import { CollectionWorkflow } from './collection.workflow.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The collection's pg-boss jobs with two workers in this process on one database; a worker is "killed" by holding
 * back every statement it sends from then on (its lease is no longer renewed), as in leased-jobs.test.ts.
 */
describe.each(backends())('collection jobs on $name', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  const revivals: (() => void)[] = [];
  afterEach(async () => {
    for (const revive of revivals.splice(0)) revive();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two concentrators of 3 meters; the meters' clock at 01:30 in Rome on 2 March: the 1st is due. */
  async function setUp() {
    const scratch = await backend.create();
    cleanups.push(() => scratch.drop());
    const open = await openDatabase(scratch.target);
    cleanups.push(() => open.close());
    await migrate(open.db);
    const storage = sqlStorage(open);
    await storage.supplyPoints.insertConcentrators(
      ['CW000001', 'CW000002'].map((concentratorId) => ({ concentratorId, substation: 'C' })),
    );
    await storage.supplyPoints.importMany(
      ['CW000001', 'CW000002'].flatMap((concentratorId) =>
        Array.from({ length: 3 }, () => makeSupplyPoint({ concentratorId })),
      ),
    );
    const count = async (text: string) => Number(((await storage.sql.executeSql(text, [])).rows[0] as { n: string }).n);
    return { storage, count, clock: manualClock(new Date('2026-03-02T00:30:00Z')) };
  }

  /** A worker whose SQL can be held back: killed, as far as the database can tell. */
  function worker(storage: Storage, field: ReturnType<typeof fakeHeadEnd>, clock: { now(): Date }) {
    let heldBack: (() => void)[] | undefined;
    const sql: SqlExecutor = {
      async executeSql(text, values) {
        if (heldBack) await new Promise<void>((resolve) => heldBack!.push(resolve));
        return storage.sql.executeSql(text, values);
      },
    };
    revivals.push(() => {
      const waiting = heldBack ?? [];
      heldBack = undefined;
      for (const resume of waiting) resume();
    });
    const own: Storage = { ...storage, sql };
    const collection = new CollectionService({
      storage: own,
      headEnd: field.headEnd,
      clock,
      settings: { startHour: 1, maxDaysLate: 7 },
    });
    const workflow = new CollectionWorkflow({
      storage: own,
      collection,
      logger: quiet,
      concurrency: 10,
      jobTimeoutSeconds: 900,
      jobLeaseSeconds: 1,
      jobRetry: { limit: 3, delaySeconds: 0 },
      scheduleEveryMs: 3_600_000,
    });
    cleanups.push(() => workflow.stop().catch(() => undefined));
    return { workflow, kill: () => void (heldBack ??= []) };
  }

  describe.skipIf(!backend.available)('', () => {
    it('enqueues a concentrator-day once however many workers schedule it, reads it, and stores a day collected twice once', async () => {
      const { storage, count, clock } = await setUp();
      const field = fakeHeadEnd({ framesOf: () => 5 });
      const [a, b] = [worker(storage, field, clock), worker(storage, field, clock)];
      // Each schedules at start, and again here, with a back-fill of two days at once.
      await Promise.all([a.workflow.start(), b.workflow.start()]);
      await Promise.all([a.workflow.runDue(), b.workflow.runDue(), a.workflow.backfill(2)]);
      await expect.poll(() => count('SELECT count(*) AS n FROM meter_day_files'), { timeout: 20_000 }).toBe(12);
      // Collected again, directly: asks nothing (everything is stored), stores nothing more.
      const collection = new CollectionService({
        storage,
        headEnd: field.headEnd,
        clock,
        settings: { startHour: 1, maxDaysLate: 7 },
      });
      expect(await collection.collectConcentratorDay('CW000001', '2026-03-01')).toEqual({
        asked: 0,
        stored: 0,
        missing: 0,
      });
      expect(field.reads).toHaveLength(4);
      expect(await count("SELECT count(*) AS n FROM pgboss.job WHERE name = 'collect-concentrator-day'")).toBe(4);
    }, 60_000);

    it('gives the job of a worker killed mid-read to another one a lease later; what the dead one stores when it wakes is not stored twice', async () => {
      const { storage, count, clock } = await setUp();
      const hung = fakeHeadEnd();
      const release = hung.holdReads();
      revivals.unshift(release);
      const a = worker(storage, hung, clock);
      await a.workflow.start();
      await expect.poll(() => hung.reads.length, { timeout: 20_000 }).toBe(2);
      a.kill();
      const fast = fakeHeadEnd();
      await worker(storage, fast, clock).workflow.start();
      await expect.poll(() => count('SELECT count(*) AS n FROM meter_day_files'), { timeout: 20_000 }).toBe(6);
      expect(fast.reads.map((r) => r.concentratorId).sort()).toEqual(['CW000001', 'CW000002']);
      // The dead worker wakes up and stores its reads too: nothing twice.
      release();
      for (const revive of revivals.splice(0)) revive();
      await expect.poll(() => count('SELECT sum(attempts) AS n FROM collection_runs'), { timeout: 20_000 }).toBe(4);
      expect(await count('SELECT count(*) AS n FROM meter_day_files')).toBe(6);
    }, 60_000);
  });
});
