/**
 * Bulk upload of a 10,000-row CSV (target: validated and reported in ≤ 2 s), on PostgreSQL and PGlite, in process.
 * Prints per database, medians of ROUNDS: parse + validate alone (the baseline: no database), the whole upload
 * (validation, eligibility, 10,000 associations and requests in one transaction), and the report CSV.
 *
 *   npx tsx bench/bulk-upload.bench.ts        (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 */
import { randomBytes } from 'node:crypto';
import { refuseDuplicates, validateBulkRecord } from '../src/domain/bulk-upload.js';
import { loadConfig } from '../src/config.js';
import { demoConcentrators, demoPod, demoSupplyPoints, METERS_PER_CONCENTRATOR } from '../src/demo/demo-network.js';
import { bulkReportCsv } from '../src/http/bulk-report.csv.js';
import { createPlatform, type Platform } from '../src/main/platform.js';
import { simulators } from '../sim/index.js';
import { splitBulkCsv } from '../src/services/bulk-csv.js';
import type { DatabaseTarget } from '../src/storage/database.js';
import { v7 as uuidv7 } from 'uuid';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, median, printPeakMemory, withScratchDatabase } from './support.js';

const ROWS = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HEADER = 'POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW';

/** A file of ROWS rows: PODs of the demo network (87 % eligible), 1 % malformed, fresh MACs and keys. */
function csv(round: number): Buffer {
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const index = round * ROWS + i;
    const pod = i % 100 === 99 ? 'IT001E12' : demoPod(index);
    const mac = `DC${(round * ROWS + i + 1).toString(16).toUpperCase().padStart(10, '0')}`;
    lines.push(`${pod};DU ${i};${mac};${randomBytes(16).toString('hex').toUpperCase()};HW-2.1;SW-1.4.0`);
  }
  return Buffer.from(lines.join('\n'));
}

async function time<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function measure(name: string, target: DatabaseTarget) {
  const platform: Platform = await createPlatform(
    loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chain2-bulk-bench-')),
      MASTER_KEY: 'c3'.repeat(32),
      BULK_QUOTA_PER_24H: '100',
    }),
    { database: target, logger: false, simulators },
  );
  try {
    const points = (ROUNDS + 1) * ROWS;
    await platform.storage.supplyPoints.insertConcentrators(
      demoConcentrators(Math.ceil(points / METERS_PER_CONCENTRATOR)),
    );
    await platform.storage.supplyPoints.importMany(demoSupplyPoints(points));
    const assetProviderId = uuidv7();
    const representativeId = uuidv7();
    await platform.services.onboarding.importActive({
      assetProviderId,
      name: 'Bench',
      vatNumber: 'B',
      models: [{ hardwareVersion: 'HW-2.1', softwareVersion: 'SW-1.4.0' }],
      representatives: [{ representativeId, email: 'b@b.example', fullName: 'B' }],
    });
    const principal = { assetProviderId, representativeId };
    const limits = { maxBytes: 1 << 30, maxRows: 1_000_000 };
    const validate: number[] = [];
    const upload: number[] = [];
    const report: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const file = csv(round);
      validate.push(
        (
          await time(() =>
            refuseDuplicates(splitBulkCsv(file, limits).map((r) => validateBulkRecord(r.fields, r.line))),
          )
        )[1],
      );
      const [summary, uploadMs] = await time(() =>
        platform.services.bulkUploads.upload(principal, file, `round-${round}.csv`),
      );
      if (summary.counts.total !== ROWS || summary.counts.invalid < ROWS / 100)
        throw new Error(`unexpected counts ${JSON.stringify(summary.counts)}`);
      upload.push(uploadMs);
      const [text, reportMs] = await time(async () =>
        bulkReportCsv((await platform.services.bulkUploads.get(principal, summary.bulkUploadId)).rows),
      );
      if (text.split('\r\n').length !== ROWS + 2) throw new Error('the report does not have one line per row');
      report.push(reportMs);
    }
    return { name, validate: median(validate), upload: median(upload), report: median(report) };
  } finally {
    await platform.close();
  }
}

async function main() {
  const results = [];
  results.push(
    await withScratchDatabase('chain2_bulk_bench', (url) =>
      measure('PostgreSQL', { kind: 'postgres', url, poolSize: 4 }),
    ),
  );
  results.push(await measure('PGlite', { kind: 'embedded', dataDir: undefined }));
  console.log(
    `\nBulk upload of a ${format(ROWS)}-row CSV, median of ${ROUNDS} (target: validated and reported ≤ 2,000 ms)`,
  );
  console.log(
    'database    | parse + validate (no DB) | upload: validate, eligibility, requests | report CSV | upload + report',
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(11)} | ${format(r.validate).padStart(21)} ms | ${format(r.upload).padStart(36)} ms | ${format(r.report).padStart(7)} ms | ${format(r.upload + r.report).padStart(12)} ms`,
    );
  }
  printPeakMemory();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
