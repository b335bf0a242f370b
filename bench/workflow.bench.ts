/**
 * Requests completed per second end to end (queued → job → head-end → meter → completed) with the simulator's
 * link delays at zero, on PostgreSQL with 2 workers (two platforms in this process, each with its pg-boss worker),
 * beside the stand-in workflow (same requests, no jobs, no meters) as the baseline. Target ≥ 1,000/s.
 *
 *   npx tsx bench/workflow.bench.ts     (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; BENCH_REQUESTS=5000)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../src/config.js';
import { demoConcentrators, demoPod, demoSupplyPoints, METERS_PER_CONCENTRATOR } from '../src/demo/demo-network.js';
import { createPlatform, type Platform } from '../src/main/platform.js';
import { simulators } from '../sim/index.js';
import { format, printPeakMemory, withScratchDatabase } from './support.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);

async function platformOn(url: string, workflow: 'telemanagement' | 'direct'): Promise<Platform> {
  return createPlatform(
    loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chain2-wf-bench-')),
      MASTER_KEY: 'd4'.repeat(32),
      DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      REQUEST_WORKFLOW: workflow,
      BULK_QUOTA_PER_24H: '1000000',
      SIMULATOR_TIME_SCALE: '1000000',
      SIMULATOR_LATENCY_MS: '0',
      SIMULATOR_LOSS_RATE: '0',
      SIMULATOR_UNREACHABLE_RATE: '0',
      WORKFLOW_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? '500',
      DATABASE_POOL_SIZE: '8',
    }),
    { logger: false, simulators },
  );
}

/** Submits REQUESTS create requests through a bulk upload (one transaction), then lets `workers` complete them. */
async function run(url: string, workflow: 'telemanagement' | 'direct', offset: number): Promise<number> {
  const workers = [await platformOn(url, workflow), await platformOn(url, workflow)];
  const [first] = workers;
  try {
    const assetProviderId = uuidv7();
    const representativeId = uuidv7();
    await first!.services.onboarding.importActive({
      assetProviderId,
      name: `Bench ${workflow}`,
      vatNumber: `B-${workflow}`,
      models: [{ hardwareVersion: 'H', softwareVersion: 'S' }],
      representatives: [{ representativeId, email: `${workflow}@b.example`, fullName: 'B' }],
    });
    const lines = ['POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW'];
    for (let i = 0, n = 0; n < REQUESTS; i++) {
      const index = offset + i;
      if (index % 100 < 13) continue; // only eligible demo PODs
      lines.push(
        `${demoPod(index)};DU;DC${(index + 1).toString(16).toUpperCase().padStart(10, '0')};${randomBytes(16).toString('hex')};H;S`,
      );
      n++;
    }
    const upload = await first!.services.bulkUploads.upload(
      { assetProviderId, representativeId },
      Buffer.from(lines.join('\n')),
      null,
    );
    if (upload.counts.queued !== REQUESTS)
      throw new Error(`expected ${REQUESTS} requests, got ${JSON.stringify(upload.counts)}`);
    const started = performance.now();
    await Promise.all(workers.map((w) => w.workflow.start()));
    while ((await first!.storage.requests.countInFlight()) > 0) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    const done = await first!.services.bulkUploads.get({ assetProviderId, representativeId }, upload.bulkUploadId);
    if (done.counts.completed !== REQUESTS) throw new Error(`not all completed: ${JSON.stringify(done.counts)}`);
    return REQUESTS / seconds;
  } finally {
    for (const w of workers) await w.close();
  }
}

async function main() {
  await withScratchDatabase('chain2_wf_bench', async (url) => {
    const setup = await platformOn(url, 'direct');
    const points = REQUESTS * 3;
    await setup.storage.supplyPoints.insertConcentrators(
      demoConcentrators(Math.ceil(points / METERS_PER_CONCENTRATOR)),
    );
    await setup.storage.supplyPoints.importMany(demoSupplyPoints(points));
    await setup.close();
    const direct = await run(url, 'direct', 0);
    const telemanagement = await run(url, 'telemanagement', Math.ceil(REQUESTS * 1.2));
    console.log(`\nRequests completed end to end, ${format(REQUESTS)} requests, 2 workers, PostgreSQL, link delays 0`);
    console.log(`stand-in (no jobs, no meters): ${format(direct)} req/s`);
    console.log(
      `telemanagement (pg-boss + head-end simulator): ${format(telemanagement)} req/s  (${format(telemanagement / direct, 2)} of the stand-in)`,
    );
    console.log(
      `the real system's average load: ≈3 remote operations/s (100 million a year): headroom ≈ ${format(telemanagement / 3)}×`,
    );
  });
  printPeakMemory();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
