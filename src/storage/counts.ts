/** Counts by status from `GROUP BY status` rows, with every status present (0 when it has no row). */
export function countsByStatus<S extends string>(
  statuses: readonly S[],
  rows: readonly { status: string; n: string | number | bigint }[],
): Record<S, number> {
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
  for (const row of rows) counts[row.status as S] = Number(row.n);
  return counts;
}
