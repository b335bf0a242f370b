import { sql, type RawBuilder } from 'kysely';
import type { KpiComparison, KpiFlag, KpiRules, ResolvedCondition } from '../domain/kpi.js';

/**
 * The rules of a supply-point day (domain/kpi.ts: KPI_FLAG_RULES, PERFORMANCE_BANDS) as SQL over the columns `sent`,
 * `received` (integer, NULL when missing) and `expected` (boolean). Built from the same table `classifyPodDay`
 * evaluates; kpi-rules.sql.test.ts holds the two to the same answers on both databases.
 */

const OPERATORS: Record<KpiComparison, RawBuilder<unknown>> = {
  '<': sql`<`,
  '<=': sql`<=`,
  '>': sql`>`,
  '>=': sql`>=`,
};

/** Counts fit an integer (< 2^31): times a denominator up to 10^9 they still fit a bigint; past that, numeric. */
const LARGEST_BIGINT_DENOMINATOR = 10n ** 9n;

/** A whole number of ours (an edge's numerator or denominator) written into the statement: digits only. */
function digits(value: bigint): RawBuilder<unknown> {
  return sql.raw(value.toString());
}

/** One condition as SQL: NULL (neither true nor false, so no flag and no band) when a compared count is missing. */
function conditionSql(condition: ResolvedCondition): RawBuilder<boolean> {
  switch (condition.kind) {
    case 'expected':
      return sql<boolean>`expected`;
    case 'missing':
      return sql<boolean>`${sql.ref(condition.count)} IS NULL`;
    case 'someSent':
      return sql<boolean>`sent > 0`;
    case 'received': {
      // received op sent × n/d, as received × d op sent × n: exact, as in the domain.
      const { numerator, denominator } = condition.edge;
      const op = OPERATORS[condition.op];
      if (denominator === 1n && numerator === 1n) return sql<boolean>`received ${op} sent`;
      const type = sql.raw(denominator <= LARGEST_BIGINT_DENOMINATOR ? 'bigint' : 'numeric');
      return sql<boolean>`received::${type} * ${digits(denominator)} ${op} sent::${type} * ${digits(numerator)}`;
    }
  }
}

/** A rule: every condition, in one boolean. */
export function ruleSql(conditions: readonly ResolvedCondition[]): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join(conditions.map(conditionSql), sql` AND `)})`;
}

/** Each flag's rule as a boolean column named after the flag: `(expected AND received IS NULL) AS missing_report, …`. */
export function flagColumnsSql(rules: KpiRules): RawBuilder<unknown> {
  return sql.join(rules.flags.map(({ flag, conditions }) => sql`${ruleSql(conditions)} AS ${sql.ref(flag)}`));
}

/** The flags raised, in the rules' order, from the boolean columns of flagColumnsSql: `{missing_report,…}`. */
export function flagArraySql(rules: KpiRules): RawBuilder<KpiFlag[]> {
  const each = rules.flags.map(({ flag }) => sql`CASE WHEN ${sql.ref(flag)} THEN ${sql.lit(flag)} END`);
  return sql<KpiFlag[]>`array_remove(ARRAY[${sql.join(each)}]::text[], NULL)`;
}

/** The band's bucket: the highest band whose lower edge received reaches; NULL without a performance. */
export function bandSql(rules: KpiRules): RawBuilder<number | null> {
  const highestFirst = [...rules.bands]
    .reverse()
    .map(
      (band) => sql`WHEN ${conditionSql({ kind: 'received', op: '>=', edge: band.from })} THEN ${sql.lit(band.bucket)}`,
    );
  return sql<number | null>`CASE WHEN ${ruleSql(rules.banded)} THEN CASE ${sql.join(highestFirst, sql` `)} END END`;
}
