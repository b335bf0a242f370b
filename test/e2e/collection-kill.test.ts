import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFieldNetworkServer, type FieldNetworkServer } from '../../sim/field-network/field-network.server.js';
import { FieldNetworkSimulator } from '../../sim/field-network/field-network.simulator.js';
import { NO_FIELD_FAULTS } from '../../sim/meter/field-faults.js';
import { addDays, romeDay, romeMidnight } from '../../src/domain/kpi.js';
import type { Pod } from '../../src/domain/identifiers.js';
import { FieldNetworkClient } from '../../src/telemanagement/field-network.client.js';
import { seededRandom } from '../../src/telemanagement/seeded-random.js';
import { backends, type ScratchDatabase } from '../support/databases.js';
import { addSupplyPoints, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { exited, startRole } from '../support/processes.js';

/**
 * The daily collection's kill test: worker processes are killed with SIGKILL again and again while they read 500
 * meters under 20 concentrators from a field-network service of their own (HEAD_END_URL, real sockets) and store
 * their day files on PostgreSQL. Afterwards every meter's day is stored, once, exactly as the meter gives it.
 */
const postgres = backends().find((b) => b.name === 'PostgreSQL')!;
const CONCENTRATORS = 20;
const PODS = 500;

describe.skipIf(!postgres.available)('SIGKILL of workers during a daily collection', () => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let network: FieldNetworkServer;
  let worker: ChildProcess | undefined;
  let url: string;
  const random = seededRandom(20261208); // deterministic kill timings: a failing run can be replayed

  beforeAll(async () => {
    scratch = await postgres.create();
    url = scratch.target.kind === 'postgres' ? scratch.target.url : '';
    platform = await createTestPlatform(scratch.target);
    // Real time (the workers' clock is the wall clock with HEAD_END_URL), 30 ms hops and 5 % of attempts lost: a
    // concentrator of 25 meters takes ≈ 1.5 s, so kills land in the middle of reads and stores.
    network = await startFieldNetworkServer({
      host: '127.0.0.1',
      port: 0,
      network: () =>
        new FieldNetworkSimulator({
          timeScale: 1,
          bitRate: Infinity,
          latencyMs: 30,
          lossRate: 0.05,
          backoffMs: 10,
          unreachableRate: 0,
          seed: 11,
          faults: NO_FIELD_FAULTS,
        }),
    });
  }, 60_000);
  afterAll(async () => {
    worker?.kill('SIGKILL');
    if (worker) await exited(worker);
    await network?.close();
    await platform?.close();
    await scratch?.drop();
  });

  async function query<T>(text: string): Promise<T[]> {
    return (await platform.storage.sql.executeSql(text, [])).rows as T[];
  }

  it('stores every meter day once, as the meter gives it, however often its workers die', async () => {
    const concentrators = Array.from({ length: CONCENTRATORS }, (_, i) => ({
      concentratorId: `CK${String(i).padStart(6, '0')}`,
      substation: `Cabina ${i}`,
    }));
    await platform.storage.supplyPoints.insertConcentrators(concentrators);
    const points = await addSupplyPoints(
      platform,
      ...Array.from({ length: PODS }, (_, i) => ({ concentratorId: concentrators[i % CONCENTRATORS]!.concentratorId })),
    );
    // The day a worker's first run collects: yesterday, or the day before until 01:00 (COLLECTION_START_HOUR).
    const now = new Date();
    const today = romeDay(now);
    const runDay = now.getTime() >= romeMidnight(today).getTime() + 3_600_000 ? today : addDays(today, -1);
    const day = addDays(runDay, -1);
    const collected = async () =>
      Number((await query<{ n: string }>(`SELECT count(*) AS n FROM meter_day_files WHERE day = '${day}'`))[0]!.n);

    // Leases of 2 s and retries after 1, 2, 4… s, so that the test does not wait for production's 20 s and 30 s.
    const env = {
      HEAD_END_URL: network.url,
      WORKFLOW_JOB_TIMEOUT_SECONDS: '2',
      COLLECTION_CONCURRENCY: '4',
      COLLECTION_RETRY_DELAY_SECONDS: '1',
    };
    const kills = 6;
    const collectedBetweenKills: number[] = [];
    for (let killed = 0; killed < kills; killed++) {
      worker = (await startRole('worker', url, /worker is running/, env)).child;
      await new Promise((resolve) => setTimeout(resolve, 500 + random() * 2000));
      worker.kill('SIGKILL');
      await exited(worker);
      collectedBetweenKills.push(await collected());
    }
    // Then one worker that lives: what the dead ones held comes back to it.
    worker = (await startRole('worker', url, /worker is running/, env)).child;
    const deadline = Date.now() + 120_000;
    while ((await collected()) < PODS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await collected(), `collected after each kill: ${collectedBetweenKills.join(', ')}`).toBe(PODS);
    expect(collectedBetweenKills.at(-1), 'kills that interrupted nothing').toBeLessThan(PODS);
    worker.kill('SIGTERM');
    await exited(worker);
    worker = undefined;

    // Once each (the key is day × POD), with the concentrator's read recorded, and the substation meter's day too.
    const rows = await query<{ pod: string; n: string }>(
      `SELECT pod, count(*) AS n FROM meter_day_files WHERE day = '${day}' GROUP BY pod`,
    );
    expect(rows).toHaveLength(PODS);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    const runs = await query<{ outstanding: number; attempts: number }>(
      `SELECT outstanding, attempts FROM collection_runs WHERE day = '${day}'`,
    );
    expect(runs).toHaveLength(CONCENTRATORS);
    expect(runs.every((r) => r.outstanding === 0 && r.attempts >= 1)).toBe(true);
    expect((await query(`SELECT 1 FROM substation_day_files WHERE day = '${day}'`)).length).toBe(CONCENTRATORS);

    // What was stored is what the meters give (nothing half-written): a sample read again over the same head-end.
    const client = new FieldNetworkClient(network.url, async () => undefined);
    for (const point of points.slice(0, 5)) {
      const [again] = (await client.dailyRead({ concentratorId: point.concentratorId!, day, pods: [point.pod as Pod] }))
        .files;
      expect(await platform.storage.collection.dayFile(point.pod as Pod, day)).toEqual(again);
    }
  }, 300_000);
});
