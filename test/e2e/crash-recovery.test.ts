import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_COLUMNS } from '../../src/domain/bulk-upload.js';
import { openDatabase } from '../../src/storage/database.js';
import { startFieldNetworkServer, type FieldNetworkServer } from '../../sim/field-network/field-network.server.js';
import { FieldNetworkSimulator } from '../../sim/field-network/field-network.simulator.js';
import { apiClient } from '../support/api.js';
import { backends, type ScratchDatabase } from '../support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  type TestPlatform,
} from '../support/platform.js';
import { exited, startEmbedded, startRole, type StartedProcess } from '../support/processes.js';

/**
 * Issue #11: the platform killed with SIGKILL and started again. On the embedded database (`npm start`) the one process
 * takes back at start what its dead predecessor held: requests taken in charge whose meter jobs were running, and the
 * Idempotency-Keys of requests it was answering. On PostgreSQL a dead worker's jobs go to another worker within a
 * minute (its lease), not after the job timeout.
 */
const RECOVERY_BOUND_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: { error?: { code: string } } & Record<string, unknown>;
  replayed: string | null;
}

/** The platform's API over a real socket, as an asset provider's system calls it. */
function client(origin: string, token: string) {
  const call = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(`${origin}/api/v1${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return {
      status: response.status,
      body: (await response.json()) as Answer['body'],
      replayed: response.headers.get('idempotent-replayed'),
    };
  };
  return {
    get: (path: string) => call('GET', path),
    postJson: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      call('POST', path, JSON.stringify(body), { 'content-type': 'application/json', ...headers }),
    postCsv: (path: string, csv: string) => call('POST', path, csv, { 'content-type': 'text/csv' }),
  };
}

describe('SIGKILL of the platform on the embedded database, then a restart on the same data directory', () => {
  const CONCENTRATORS = 10;
  const BULK_ROWS = 300;
  const KEYED = 40;
  // Commands of ≈ 0.15 s each, queued per concentrator: a batch of meter jobs runs for seconds, so the kills find some.
  const ENV = { SIMULATOR_TIME_SCALE: '5', WORKFLOW_POLL_MS: '100' };
  /** When the 40 keyed creations start after the bulk upload's answer, and how many of their answers arrive before the kill. */
  const KILLS = [
    { keyedAfterMs: 100, killAfterAnswers: 3 },
    { keyedAfterMs: 600, killAfterAnswers: 10 },
    { keyedAfterMs: 1_200, killAfterAnswers: 25 },
  ];
  let dataDir: string;
  let platform: (StartedProcess & { url: string }) | undefined;
  const rounds: { token: string; csv: string; keyed: { key: string; pod: string; body: unknown }[] }[] = [];
  /** What the kills left behind, over all rounds: proof that they hit work in flight. */
  const leftAtKills = { activeJobs: 0, takenInCharge: 0, pendingKeys: 0 };
  /** After each restart, when the keys had all answered and when every request had settled, ms after the process was ready. */
  const recoveries: { keysMs: number; settledMs: number }[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chain2-crash-'));
    const seeding = await createTestPlatform({ kind: 'embedded', dataDir: join(dataDir, 'db') }, { DATA_DIR: dataDir });
    try {
      const concentrators = Array.from({ length: CONCENTRATORS }, (_, i) => ({
        concentratorId: `CR${String(i).padStart(6, '0')}`,
        substation: `Cabina ${i}`,
      }));
      await seeding.storage.supplyPoints.insertConcentrators(concentrators);
      for (const [r] of KILLS.entries()) {
        const { token } = await makeAssetProvider(seeding, `Crash ${r}`); // one per round: each has its own bulk quota
        const points = await addSupplyPoints(
          seeding,
          ...Array.from({ length: BULK_ROWS + KEYED }, (_, i) => ({
            concentratorId: concentrators[i % CONCENTRATORS]!.concentratorId,
          })),
        );
        const rows = points.slice(0, BULK_ROWS).map((p, i) => {
          const du = makeDu();
          return [p.pod, `DU ${r}-${i}`, du.macAddress, du.encryptionKey, du.hardwareVersion, du.softwareVersion].join(
            ';',
          );
        });
        const keyed = points
          .slice(BULK_ROWS)
          .map((p, i) => ({ key: `crash-${r}-${i}`, pod: p.pod, body: { pod: p.pod, du: makeDu() } }));
        rounds.push({ token, csv: [BULK_COLUMNS.join(';'), ...rows].join('\n'), keyed });
      }
    } finally {
      await seeding.close();
    }
    platform = await startEmbedded(dataDir, ENV);
  }, 120_000);
  afterAll(async () => {
    if (platform) {
      platform.child.kill('SIGTERM');
      await exited(platform.child);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Kills the platform halfway between its `answers`-th answer to the keyed creations and the next one it would give
   * (the embedded database answers them one after the other): inside a request, with its key reserved. Returns every
   * answer that arrived.
   */
  async function killDuringKeyedCreations(
    child: ChildProcess,
    round: (typeof rounds)[number],
    answers: number,
  ): Promise<(Answer | undefined)[]> {
    if (answers < 3) throw new Error('kill after 3 answers or more: the time between two answers is measured');
    const api = client(platform!.url, round.token);
    const received: (Answer | undefined)[] = new Array(round.keyed.length);
    const answeredAt: number[] = [performance.now()];
    let enough = () => {};
    const enoughAnswers = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const calls = round.keyed.map(async ({ key, body }, i) => {
      try {
        received[i] = await api.postJson('/associations', body, { 'idempotency-key': key });
      } catch {
        return; // cut by the kill: no answer
      }
      if (answeredAt.push(performance.now()) === answers + 1) enough();
    });
    await Promise.race([enoughAnswers, sleep(15_000)]);
    // Between answers, not from the start (that one includes the first request's whole wait).
    const intervals = answeredAt
      .slice(2)
      .map((at, i) => at - answeredAt[i + 1]!)
      .sort((a, b) => a - b);
    await sleep(intervals[Math.floor(intervals.length / 2)]! / 2);
    child.kill('SIGKILL');
    await exited(child);
    await Promise.all(calls);
    return received;
  }

  /** Reads, between the kill and the restart, what the killed process left behind. */
  async function countLeftBehind(): Promise<typeof leftAtKills> {
    const database = await openDatabase({ kind: 'embedded', dataDir: join(dataDir, 'db') });
    try {
      const count = async (text: string) => Number(((await database.pool.query(text)).rows[0] as { n: string }).n);
      return {
        activeJobs: await count("SELECT count(*) AS n FROM pgboss.job WHERE state = 'active'"),
        takenInCharge: await count("SELECT count(*) AS n FROM requests WHERE status = 'taken_in_charge'"),
        pendingKeys: await count('SELECT count(*) AS n FROM idempotency_keys WHERE status_code IS NULL'),
      };
    } finally {
      await database.close();
    }
  }

  /** Every round so far settled: nothing taken in charge or submitted, and only the requests waiting for the quota pending. */
  async function settled(): Promise<boolean> {
    for (const round of rounds) {
      const summary = (await client(platform!.url, round.token).get('/summary')).body as {
        associations: Record<string, number>;
        requests: Record<string, number>;
      };
      if (summary.requests.taken_in_charge !== 0 || summary.requests.submitted !== 0) return false;
      if (summary.associations.pending !== summary.requests.queued) return false;
    }
    return true;
  }

  for (const [r, kill] of KILLS.entries()) {
    it(`round ${r + 1}: ${KEYED} keyed creations ${kill.keyedAfterMs} ms after a ${BULK_ROWS}-row bulk upload, killed after ${kill.killAfterAnswers} answers`, async () => {
      const round = rounds[r]!;
      const api = client(platform!.url, round.token);
      expect((await api.postCsv(`/bulk-uploads?fileName=round-${r}.csv`, round.csv)).status).toBe(202);
      await sleep(kill.keyedAfterMs);
      const answered = await killDuringKeyedCreations(platform!.child, round, kill.killAfterAnswers);
      const left = await countLeftBehind();
      for (const key of Object.keys(leftAtKills) as (keyof typeof leftAtKills)[]) leftAtKills[key] += left[key];

      platform = await startEmbedded(dataDir, ENV);
      const readyAt = Date.now();
      const restarted = client(platform.url, round.token);

      // Every key answers its first answer, or a final one: never "still being processed" past the bound.
      const retried = await Promise.all(
        round.keyed.map(async ({ key, body }) => {
          for (;;) {
            const answer = await restarted.postJson('/associations', body, { 'idempotency-key': key });
            if (
              answer.status !== 409 ||
              answer.body.error?.code !== 'conflict' ||
              Date.now() - readyAt > RECOVERY_BOUND_MS
            )
              return answer;
            await sleep(250);
          }
        }),
      );
      const keysMs = Date.now() - readyAt;
      for (const [i, answer] of retried.entries()) {
        const first = answered[i];
        if (first)
          expect({ key: round.keyed[i]!.key, ...answer }).toEqual({
            key: round.keyed[i]!.key,
            ...first,
            replayed: 'true',
          });
        else
          expect([round.keyed[i]!.key, answer.status, answer.body.error?.code]).toSatisfy(
            ([, status, code]) => status === 202 || code === 'already_associated',
          );
      }
      // One request per supply point: a retry never made a second one.
      for (const { pod } of round.keyed)
        expect(((await restarted.get(`/requests?pod=${pod}`)).body.items as unknown[]).length).toBe(1);

      // No request stays taken in charge, no association pending but those waiting for the bulk quota.
      await expect
        .poll(settled, { timeout: Math.max(1, RECOVERY_BOUND_MS - (Date.now() - readyAt)), interval: 250 })
        .toBe(true);
      recoveries.push({ keysMs, settledMs: Date.now() - readyAt });
    }, 120_000);
  }

  it('hit work in flight with its kills: running meter jobs, requests taken in charge, unanswered keys', () => {
    console.log(
      `left by the kills: ${JSON.stringify(leftAtKills)}; after each restart, keys answered / requests settled within (ms): ` +
        recoveries.map((r) => `${r.keysMs} / ${r.settledMs}`).join(', '),
    );
    expect(leftAtKills.activeJobs).toBeGreaterThan(0);
    expect(leftAtKills.takenInCharge).toBeGreaterThan(0);
    expect(leftAtKills.pendingKeys).toBeGreaterThan(0);
  });
});

const postgres = backends().find((b) => b.name === 'PostgreSQL')!;

describe.skipIf(!postgres.available)('SIGKILL of a worker on PostgreSQL while another one runs', () => {
  let scratch: ScratchDatabase;
  let api: TestPlatform;
  let network: FieldNetworkServer;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    scratch = await postgres.create();
    api = await createTestPlatform(scratch.target, { REQUEST_WORKFLOW: 'telemanagement' });
    // Slow hops (4 s each way), two meters per concentrator: a batch runs for ≈ 16 s, so it is in flight when killed.
    network = await startFieldNetworkServer({
      host: '127.0.0.1',
      port: 0,
      network: () =>
        new FieldNetworkSimulator({
          timeScale: 1,
          bitRate: Infinity,
          latencyMs: 4_000,
          lossRate: 0,
          backoffMs: 10,
          unreachableRate: 0,
          seed: 7,
        }),
    });
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
    await network?.close();
    await api?.close();
    await scratch?.drop();
  });

  it("gives the dead worker's jobs to the other one within a minute, not after the job timeout (900 s)", async () => {
    const url = scratch.target.kind === 'postgres' ? scratch.target.url : '';
    const count = async (where: string) =>
      Number(
        (
          (
            await api.storage.sql.executeSql(
              `SELECT count(*) AS n FROM pgboss.job WHERE name = 'program-meter' AND ${where}`,
              [],
            )
          ).rows[0] as { n: string }
        ).n,
      );
    const startWorker = async () => {
      const { child } = await startRole('worker', url, /worker is running/, {
        HEAD_END_URL: network.url,
        WORKFLOW_POLL_MS: '50',
      });
      workers.push(child);
      return child;
    };
    const concentrators = Array.from({ length: 10 }, (_, i) => ({
      concentratorId: `CW${String(i).padStart(6, '0')}`,
      substation: `Cabina ${i}`,
    }));
    await api.storage.supplyPoints.insertConcentrators(concentrators);
    const points = await addSupplyPoints(
      api,
      ...Array.from({ length: 20 }, (_, i) => ({ concentratorId: concentrators[i % 10]!.concentratorId })),
    );
    const representative = apiClient(api, (await makeAssetProvider(api)).token);

    for (const point of points)
      expect((await representative.post('/associations', { pod: point.pod, du: makeDu() })).status).toBe(202);
    const first = await startWorker(); // its first sweep takes the 20 in charge at once: one batch of 20 jobs
    await expect.poll(() => count("state = 'active'"), { timeout: 20_000, interval: 100 }).toBe(20);
    await startWorker();
    expect(await count("state = 'active' AND retry_count = 0")).toBe(20); // still the first worker's: its leases were renewed

    const killedAt = Date.now();
    first.kill('SIGKILL');
    await exited(first);
    // Back in the queue once expired (pg-boss counts the attempt when a worker fetches the job again).
    const back = () => count("state <> 'active' OR retry_count > 0");
    const pickedUp = () => count("state IN ('active', 'completed') AND retry_count > 0");
    let pickedUpMs: number | undefined;
    await expect
      .poll(
        async () => {
          const backNow = await back();
          if (pickedUpMs === undefined && (await pickedUp()) > 0) pickedUpMs = Date.now() - killedAt;
          return backNow;
        },
        { timeout: 90_000, interval: 100 },
      )
      .toBe(20);
    const backMs = Date.now() - killedAt;
    await expect.poll(pickedUp, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    pickedUpMs ??= Date.now() - killedAt;
    console.log(
      `a dead worker's 20 jobs were back in the queue ${(backMs / 1000).toFixed(1)} s after the kill, ` +
        `the other worker running them again from ${(pickedUpMs / 1000).toFixed(1)} s`,
    );
    expect(backMs).toBeLessThan(60_000);
    expect(pickedUpMs).toBeLessThan(60_000);
  }, 150_000);
});
