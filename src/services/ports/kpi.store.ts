/** Monitoring: participants' reports, meters' counts, computed days and their figures. */
import type { KpiFlag, KpiGrouping, KpiParticipant, KpiReport, KpiVersion } from '../../domain/kpi.js';

/** Who may see which monitoring figures: everything (the DSO), or one asset provider's or retailer's supply points. */
export type KpiScope = { all: true } | { assetProviderId: string } | { retailerId: string };

export interface KpiQuery {
  from: string;
  to: string;
  /** `latest`: the final version of a day where there is one, else the provisional one. */
  version: 'latest' | KpiVersion;
  scope: KpiScope;
}

export interface KpiGroupRow {
  key: string;
  label: string;
  /** Supply points: on one day, how many; over several days, the most on any one day (read from daily totals). */
  pods: number;
  podDays: number;
  sent: number;
  received: number;
  /** received ÷ sent over the supply-point days with both counts; null when nothing was sent. */
  performance: number | null;
  flags: Record<KpiFlag, number>;
}

export interface KpiPodDay {
  day: string;
  version: KpiVersion;
  pod: string;
  assetProviderId: string | null;
  retailerId: string | null;
  sent: number | null;
  received: number | null;
  flags: KpiFlag[];
}

export interface KpiStore {
  /**
   * Stores reports as the participant's latest (earlier ones kept, superseded), all or nothing; returns the indexes of
   * the reports refused because the supply point is not the participant's (no association of the asset provider on
   * it, or not served by the retailer).
   */
  /** Inside a transaction (its lock and staging last until the commit): stores the reports; returns the indexes refused. */
  insertReports(participant: KpiParticipant, reports: readonly KpiReport[], at: Date): Promise<Set<number>>;
  reportHistory(pod: string, day: string, participantIds?: readonly string[]): Promise<(KpiReport & { participant: KpiParticipant; version: number; reportedAt: Date; supersededAt: Date | null })[]>;
  upsertMeterCounts(day: string, counts: readonly { pod: string; sent: number }[], at: Date): Promise<void>;
  hasMeterCounts(day: string): Promise<boolean>;
  /**
   * Computes one version of a day for every supply point in scope that day, in transactions of its own (call it
   * outside one), in up to `parts` ranges at once; returns how many. `ifMissing`: not when a run of it is recorded
   * (another process computed it meanwhile).
   */
  compute(day: string, version: KpiVersion, window: { start: Date; end: Date }, target: number, at: Date,
    options?: { parts?: number; ifMissing?: boolean }): Promise<number>;
  runs(from: string, to: string): Promise<{ day: string; version: KpiVersion; computedAt: Date; pods: number }[]>;
  aggregate(query: KpiQuery, groupBy: KpiGrouping, limit: number): Promise<KpiGroupRow[]>;
  /** How many supply-point days fall in each performance band (`bucket` 0–10: 0–10 %, …, 90–99 %, ≥ 99 %). */
  distribution(query: KpiQuery): Promise<{ bucket: string; podDays: number }[]>;
  podDays(query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number }): Promise<KpiPodDay[]>;
}
