/** Monitoring: the figures read from computed days, within what the caller may see. */
import type { KpiFlag, KpiGrouping, KpiVersion } from '../../domain/kpi.js';

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

export interface KpiFigureStore {
  aggregate(query: KpiQuery, groupBy: KpiGrouping, limit: number): Promise<KpiGroupRow[]>;
  /**
   * How many supply-point days fall in each performance band, by the band's `bucket` (domain/kpi.ts:
   * PERFORMANCE_BANDS, as computed), in order; the bands without any left out.
   */
  distribution(query: KpiQuery): Promise<{ bucket: number; podDays: number }[]>;
  /** The worst days first (missing counts last), or one supply point's days, every version, newest first. */
  podDays(query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number }): Promise<KpiPodDay[]>;
}
