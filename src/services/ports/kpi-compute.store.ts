/** Monitoring: the meters' counts, and the computation of a day's version, piece by piece for the service to orchestrate. */
import type { DayWindow, KpiRules, KpiVersion } from '../../domain/kpi.js';

/** Supply points from `from` (included) to `to` (excluded), by code; null: no bound on that side. */
export interface PodRange {
  from: string | null;
  to: string | null;
}

export interface KpiRun {
  day: string;
  version: KpiVersion;
  computedAt: Date;
  /** Supply points computed. */
  pods: number;
}

export interface KpiComputeStore {
  upsertMeterCounts(day: string, counts: readonly { pod: string; sent: number }[], at: Date): Promise<void>;
  hasMeterCounts(day: string): Promise<boolean>;
  /** Days whose meter counts changed since they were computed (collection.store.ts marks them), oldest first. */
  staleDays(): Promise<string[]>;
  /**
   * Inside a computation's transaction, before it reads the counts: the day is no longer stale (counts that arrive
   * after this mark it again, and a rollback keeps the mark). Returns whether it was.
   */
  clearStale(day: string): Promise<boolean>;
  /**
   * Inside a transaction: waits for the day's version to be free, then holds it until the transaction ends (one
   * computation of a day's version at a time, across processes).
   */
  lockDay(day: string, version: KpiVersion): Promise<void>;
  /**
   * Fresh statistics of what a computation reads (a day's reports and counts arrive in bulk just before it). Outside
   * a transaction they are committed at once, for other transactions to plan with.
   */
  refreshStatistics(): Promise<void>;
  /** `parts` contiguous ranges of about as many supply points each, covering them all (one range when it cannot tell). */
  podRanges(parts: number): Promise<PodRange[]>;
  /** Removes the version's run, rows and totals. */
  clear(day: string, version: KpiVersion): Promise<void>;
  /**
   * Inside a transaction: the version's rows and totals of the supply points of `range` in scope that day (those
   * expected, those a meter count or a report names), flags and bands by the rules, in one statement.
   */
  computeRange(day: string, version: KpiVersion, window: DayWindow, rules: KpiRules, range: PodRange): Promise<void>;
  /** Records the version's run (readers choose versions by their run) from its totals; returns its supply points. */
  recordRun(day: string, version: KpiVersion, at: Date): Promise<number>;
  runs(from: string, to: string): Promise<KpiRun[]>;
}
