import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { classifyPodDay, kpiRules, type KpiFlag, type PodDayCounts } from '../domain/kpi.js';
import { openDatabase, type OpenDatabase } from './database.js';
import { bandSql, flagArraySql, flagColumnsSql } from './kpi-rules.sql.js';

/** Counts on either side of every edge of the rules, from none to the largest an integer column holds. */
function casesAround(target: number): PodDayCounts[] {
  const edges = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, target, 1];
  const cases: PodDayCounts[] = [];
  for (const expected of [false, true]) {
    cases.push(
      { sent: null, received: null, expected },
      { sent: null, received: 7, expected },
      { sent: 0, received: null, expected },
    );
    for (const sent of [0, 1, 3, 7, 10, 30, 100, 997, 1000, 123_457, 1_000_000, 2_147_483_647]) {
      cases.push({ sent, received: null, expected });
      const received = new Set(
        edges.flatMap((e) => [
          Math.floor(sent * e) - 1,
          Math.floor(sent * e),
          Math.ceil(sent * e),
          Math.ceil(sent * e) + 1,
        ]),
      );
      for (const r of received) if (r >= 0 && r <= 2_147_483_647) cases.push({ sent, received: r, expected });
    }
  }
  return cases;
}

/** The SQL built from the rules table gives every supply-point day the flags and band the domain gives it. */
describe.each(backends())('the KPI rules in SQL agree with the domain on $name', (backend) => {
  let scratch: ScratchDatabase;
  let open: OpenDatabase;
  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    open = await openDatabase(scratch.target);
  });
  afterAll(async () => {
    await open?.close();
    await scratch?.drop();
  });

  it.skipIf(!backend.available).each([0.99, 0.95, 0.9, 0.85, 0.995, 1, 0, 1 / 3, 0.123456789012])(
    'under a target of %s',
    async (target) => {
      const rules = kpiRules(target);
      const cases = casesAround(target);
      const result = await sql<{ idx: number; flags: KpiFlag[]; bucket: number | null }>`
      SELECT idx, ${flagArraySql(rules)} AS flags, bucket FROM (
        SELECT idx, ${flagColumnsSql(rules)}, ${bandSql(rules)} AS bucket
        FROM unnest(${cases.map((_, i) => i)}::integer[], ${cases.map((c) => c.sent)}::integer[], ${cases.map((c) => c.received)}::integer[],
          ${cases.map((c) => c.expected)}::boolean[]) AS t(idx, sent, received, expected)
      ) f ORDER BY idx
    `.execute(open.db);
      expect(result.rows).toHaveLength(cases.length);
      const disagreements = result.rows
        .map((row) => ({
          counts: cases[row.idx]!,
          sql: { flags: row.flags, bucket: row.bucket },
          domain: classifyPodDay(rules, cases[row.idx]!),
        }))
        .filter((c) => JSON.stringify(c.sql) !== JSON.stringify(c.domain));
      expect(disagreements).toEqual([]);
      // Every band and every flag is reached by some case: the agreement covers them all.
      expect(new Set(result.rows.map((r) => r.bucket))).toEqual(new Set([null, ...rules.bands.map((b) => b.bucket)]));
      expect(new Set(result.rows.flatMap((r) => r.flags))).toEqual(
        new Set(rules.flags.map((f) => f.flag).filter((f) => target > 0 || f !== 'below_target')),
      );
    },
  );
});
