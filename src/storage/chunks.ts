/** Rows sent to the database per statement: arrays of this many values travel as one parameter each. */
export const CHUNK = 100_000;

/** The rows in slices of CHUNK. */
export function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}
