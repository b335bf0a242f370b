import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/domain/identifiers.js';
import { FieldNetworkClient } from '../../src/telemanagement/field-network.client.js';
import { startFieldNetworkServer, type FieldNetworkServer } from '../../sim/field-network/field-network.server.js';
import { FieldNetworkSimulator } from '../../sim/field-network/field-network.simulator.js';
import { seededRandom } from '../../src/telemanagement/seeded-random.js';
import { apiClient } from '../support/api.js';
import { backends, type ScratchDatabase } from '../support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  type TestPlatform,
} from '../support/platform.js';
import { exited, startRole } from '../support/processes.js';

/**
 * Issue 3's kill test: worker processes are killed with SIGKILL again and again while 1,000 requests go through
 * them; the meters live in a field-network service of their own (as real meters outlive a head-end crash).
 * Afterwards every request is closed exactly once and every meter holds what its last completed request set.
 */
const postgres = backends().find((b) => b.name === 'PostgreSQL')!;
const CONCENTRATORS = 20;
const PODS = 500;
const createKey = (i: number) => `A${'0'.repeat(27)}${i.toString(16).toUpperCase().padStart(4, '0')}`;
const rotatedKey = (i: number) => `B${'0'.repeat(27)}${i.toString(16).toUpperCase().padStart(4, '0')}`;

describe.skipIf(!postgres.available)('SIGKILL of workers during 1,000 requests', () => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let network: FieldNetworkServer;
  let worker: ChildProcess | undefined;
  let url: string;
  const random = seededRandom(20261127); // deterministic kill timings: a failing run can be replayed
  let kills = 0;

  beforeAll(async () => {
    scratch = await postgres.create();
    url = scratch.target.kind === 'postgres' ? scratch.target.url : '';
    // The API side: this process (its own workflow never starts); the workers are child processes.
    platform = await createTestPlatform(scratch.target, { REQUEST_WORKFLOW: 'telemanagement' });
    network = await startFieldNetworkServer({
      host: '127.0.0.1',
      port: 0,
      // Real (unscaled) time, short hops, and 5 % of attempts lost: retries and repeated command ids happen.
      network: () =>
        new FieldNetworkSimulator({
          timeScale: 1,
          bitRate: Infinity,
          latencyMs: 3,
          lossRate: 0.05,
          backoffMs: 10,
          unreachableRate: 0,
          seed: 7,
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

  /** Starts a worker, lets it work 0.3–1.5 s, kills it; again until every request is closed, then one last clean run. */
  async function runWithKills(allClosed: () => Promise<boolean>, minimumKills: number): Promise<void> {
    const env = {
      HEAD_END_URL: network.url,
      WORKFLOW_JOB_TIMEOUT_SECONDS: '2',
      WORKFLOW_POLL_MS: '50',
      WORKFLOW_CONCURRENCY: '20',
    };
    let killedHere = 0;
    for (;;) {
      worker = (await startRole('worker', url, /worker is running/, env)).child;
      if (killedHere >= minimumKills && (await allClosed())) break;
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 1200));
      if (killedHere >= minimumKills && (await allClosed())) break;
      worker.kill('SIGKILL');
      await exited(worker);
      killedHere++;
      kills++;
      if (killedHere > 60) throw new Error('requests still open after 60 kills');
    }
    while (!(await allClosed())) await new Promise((resolve) => setTimeout(resolve, 200));
    worker.kill('SIGTERM');
    await exited(worker);
    worker = undefined;
  }

  async function query<T>(text: string): Promise<T[]> {
    return (await platform.storage.sql.executeSql(text, [])).rows as T[];
  }
  async function openRequests(): Promise<number> {
    return Number(
      (await query<{ open: string }>('SELECT count(*) AS open FROM requests WHERE closed_at IS NULL'))[0]!.open,
    );
  }

  it('closes every request exactly once and leaves every meter as its last completed request set it', async () => {
    const concentrators = Array.from({ length: CONCENTRATORS }, (_, i) => ({
      concentratorId: `CK${String(i).padStart(6, '0')}`,
      substation: `Cabina ${i}`,
    }));
    await platform.storage.supplyPoints.insertConcentrators(concentrators);
    const points = await addSupplyPoints(
      platform,
      ...Array.from({ length: PODS }, (_, i) => ({ concentratorId: concentrators[i % CONCENTRATORS]!.concentratorId })),
    );
    const api = apiClient(platform, (await makeAssetProvider(platform)).token);

    // 500 creates, each programming a meter, with workers killed throughout.
    const dus = points.map((_, i) => makeDu({ encryptionKey: createKey(i) }));
    const associations: string[] = [];
    for (const [i, point] of points.entries()) {
      const created = await api.post('/associations', { pod: point.pod, du: dus[i] });
      expect(created.status).toBe(202);
      associations.push(created.body.association.id);
    }
    await runWithKills(async () => (await openRequests()) === 0, 3);

    // 300 key rotations and 200 deletes, again with workers killed throughout.
    for (const [i, id] of associations.entries()) {
      const response =
        i < 300
          ? await api.patch(`/associations/${id}`, { du: { encryptionKey: rotatedKey(i) } })
          : await api.delete(`/associations/${id}`);
      expect(response.status).toBe(202);
    }
    await runWithKills(async () => (await openRequests()) === 0, 3);
    expect(kills).toBeGreaterThanOrEqual(6);

    // Every request closed, completed, with exactly one pass through each state (no double processing).
    const requests = await query<{ request_id: string; status: string; statuses: string[] }>(
      `SELECT r.request_id, r.status, array_agg(t.status ORDER BY t.seq) AS statuses
         FROM requests r JOIN request_transitions t USING (request_id) GROUP BY r.request_id, r.status`,
    );
    expect(requests).toHaveLength(1_000);
    const histories = new Map<string, number>();
    for (const request of requests) {
      expect(request.status).toBe('completed');
      const key = request.statuses.join('>');
      histories.set(key, (histories.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(histories)).toEqual({ 'submitted>queued>taken_in_charge>completed': 1_000 });

    // Every meter holds exactly what its last request set, and executed each of its two commands once.
    const client = new FieldNetworkClient(network.url, async () => undefined);
    for (const [i, point] of points.entries()) {
      const state = await client.meterState(point.pod as Pod);
      const expected =
        i < 300
          ? { hasChain2: true, macAddress: dus[i]!.macAddress, keyLast4: rotatedKey(i).slice(-4), commandsProcessed: 2 }
          : { hasChain2: false, macAddress: null, keyLast4: null, commandsProcessed: 2 };
      expect({ pod: point.pod, ...state }).toMatchObject({ pod: point.pod, ...expected });
    }
    // The kills hit work in flight: jobs a killed worker held were expired and retried.
    const retried = await query<{ n: string }>(
      "SELECT count(*) AS n FROM pgboss.job WHERE name = 'program-meter' AND retry_count > 0",
    );
    expect(Number(retried[0]!.n)).toBeGreaterThan(0);
    const counters = await client.counters();
    expect(counters.retried).toBeGreaterThan(0); // losses happened: some commands went twice on the wire
    const statuses = await query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM associations GROUP BY status ORDER BY status',
    );
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([
      ['active', 300],
      ['deleted', 200],
    ]);
  }, 600_000);
});
