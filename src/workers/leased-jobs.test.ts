import { afterEach, describe, expect, it } from 'vitest';
import { backends } from '../../test/support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  TEST_MASTER_KEY,
  type TestPlatform,
} from '../../test/support/platform.js';
import { AesGcmSecretBox } from '../security/secret-box.js';
import type { HeadEnd, SqlExecutor, Storage } from '../services/ports/index.js';
import { TelemanagementWorkflow } from './telemanagement.workflow.js';

/**
 * Leases on jobs (leased-jobs.ts), with two workflows in this process on one database: worker A is "killed" by holding
 * back every statement it sends from then on (its lease is no longer renewed, it fetches nothing more) while its
 * command hangs, as a SIGKILL leaves it. The test revives it only to stop it.
 */
describe.each(backends())('job leases on $name', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  /** Hung commands released and killed workers revived, so that the workflows stop at once. */
  const revivals: (() => void)[] = [];
  afterEach(async () => {
    for (const revive of revivals.splice(0)) revive();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const scratch = await backend.create();
    cleanups.push(() => scratch.drop());
    const platform = await createTestPlatform(scratch.target);
    cleanups.push(() => platform.close());
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CL000001', substation: 'Cabina 1' }]);
    const ap = await makeAssetProvider(platform);
    const [sp] = await addSupplyPoints(platform, { concentratorId: 'CL000001' });
    const { request } = await platform.services.associations.create(ap, { pod: sp!.pod, du: makeDu() });
    const status = async () => (await platform.services.requests.get(ap, request.requestId)).status;
    return { platform, status };
  }

  /** A worker whose SQL can be held back: killed, as far as the database can tell. */
  function worker(platform: TestPlatform, headEnd: Pick<HeadEnd, 'send'>, jobLeaseSeconds: number) {
    let heldBack: (() => void)[] | undefined;
    const sql: SqlExecutor = {
      async executeSql(text, values) {
        if (heldBack) await new Promise<void>((resolve) => heldBack!.push(resolve));
        return platform.storage.sql.executeSql(text, values);
      },
    };
    revivals.push(() => {
      const waiting = heldBack ?? [];
      heldBack = undefined;
      for (const resume of waiting) resume();
    });
    const storage: Storage = { ...platform.storage, sql };
    const workflow = new TelemanagementWorkflow({
      storage,
      requests: platform.services.requests,
      secretBox: new AesGcmSecretBox(Buffer.from(TEST_MASTER_KEY, 'hex')),
      headEnd,
      clock: { now: () => new Date() },
      logger: platform.app.log,
      pollMs: 50,
      concurrency: 10,
      jobTimeoutSeconds: 900,
      jobLeaseSeconds,
      jobRetry: { limit: 5, delaySeconds: 0 },
    });
    cleanups.push(() => workflow.stop().catch(() => undefined));
    return {
      workflow,
      kill: () => {
        heldBack ??= [];
      },
    };
  }

  /** A head-end whose commands take `ms` (forever when undefined, until the test ends), counting them. */
  function headEnd(ms?: number) {
    const sent: string[] = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    revivals.unshift(() => release());
    const end: Pick<HeadEnd, 'send'> = {
      async send(command) {
        sent.push(command.commandId);
        await (ms === undefined ? released : new Promise((resolve) => setTimeout(resolve, ms)));
        return { status: 'done', attempts: 1, completedAt: new Date() };
      },
    };
    return { end, sent };
  }
  const running = (pgBoss: TestPlatform) => async () =>
    Number(
      (
        (
          await pgBoss.storage.sql.executeSql(
            "SELECT count(*) AS n FROM pgboss.job WHERE name = 'program-meter' AND state = 'active'",
            [],
          )
        ).rows[0] as { n: string }
      ).n,
    );

  describe.skipIf(!backend.available)('', () => {
    it('lets a live worker keep its job however long the command takes past the lease, while another one waits for work', async () => {
      const { platform, status } = await setUp();
      const slow = headEnd(6_000);
      await worker(platform, slow.end, 1).workflow.start();
      await worker(platform, slow.end, 1).workflow.start();
      await expect.poll(status, { timeout: 20_000, interval: 100 }).toBe('completed');
      expect(slow.sent).toHaveLength(1); // never expired, so the idle worker never ran it a second time
    }, 60_000);

    it('gives the job of a worker that died to another one a lease later, not after the job timeout', async () => {
      const { platform, status } = await setUp();
      const hung = headEnd();
      const a = worker(platform, hung.end, 1);
      await a.workflow.start();
      await expect.poll(running(platform), { timeout: 20_000, interval: 100 }).toBe(1);
      a.kill();
      const fast = headEnd(0);
      const killedAt = Date.now();
      await worker(platform, fast.end, 1).workflow.start();
      await expect.poll(status, { timeout: 20_000, interval: 100 }).toBe('completed');
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      expect([hung.sent, fast.sent].map((s) => s.length)).toEqual([1, 1]);
    }, 60_000);

    it('takes back at start, without waiting for its lease, a job active since before the database started', async () => {
      const { platform, status } = await setUp();
      const hung = headEnd();
      const a = worker(platform, hung.end, 600);
      await a.workflow.start();
      await expect.poll(running(platform), { timeout: 20_000, interval: 100 }).toBe(1);
      a.kill();
      // As the embedded database's next process finds it: the job's last renewal is older than the database's start.
      await platform.storage.sql.executeSql(
        "UPDATE pgboss.job SET started_on = pg_postmaster_start_time() - interval '1 second' WHERE name = 'program-meter' AND state = 'active'",
        [],
      );
      const fast = headEnd(0);
      await worker(platform, fast.end, 600).workflow.start();
      await expect.poll(status, { timeout: 10_000, interval: 100 }).toBe('completed');
      expect(fast.sent).toHaveLength(1);
    }, 60_000);
  });
});
