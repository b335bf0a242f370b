/** Monitoring: the participants' reports of frames received, the latest and the superseded. */
import type { KpiParticipant, KpiReport } from '../../domain/kpi.js';

/** A version of a participant's report of a POD and day: the latest (supersededAt null) or a superseded one. */
export type KpiReportVersion = KpiReport & {
  participant: KpiParticipant;
  version: number;
  reportedAt: Date;
  supersededAt: Date | null;
};

export interface KpiReportStore {
  /**
   * Inside a transaction (its lock and staging last until the commit): stores the reports as the participant's latest
   * (earlier ones kept, superseded), all or nothing; returns the indexes of the reports refused because the supply
   * point is not the participant's (no association of the asset provider on it, or not served by the retailer).
   */
  insertReports(participant: KpiParticipant, reports: readonly KpiReport[], at: Date): Promise<Set<number>>;
  /** Every version of the POD and day's reports (of these participants only, when given), per participant, newest first. */
  reportHistory(pod: string, day: string, participantIds?: readonly string[]): Promise<KpiReportVersion[]>;
}
