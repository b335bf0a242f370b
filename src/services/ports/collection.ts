/** Chain 1 daily collection: what operators see of it. */
import type { MeterDayFile } from '../../domain/day-file.js';

/** One concentrator's collection of one day. */
export interface ConcentratorCollection {
  concentratorId: string;
  /** Meters of the concentrator expected to deliver the day (the registry's, with a meter). */
  meters: number;
  /** Day files stored, on time or late. */
  collected: number;
  /** Of `collected`, those that came on a later day's run than the day's first (the meter did not answer at first). */
  late: number;
  /** Meters whose day file has not come (yet, or ever: past COLLECTION_MAX_DAYS_LATE). */
  missing: number;
  /** When the concentrator was last read for this day; null: never yet. */
  lastAttemptAt: Date | null;
  /** Simulated seconds of power-line link time the day's reads took, every run summed. */
  linkSeconds: number;
}

export interface CollectionDayStatus {
  day: string;
  /** Worst first: most missing, then most late, then by concentrator id. */
  concentrators: ConcentratorCollection[];
  totals: Omit<ConcentratorCollection, 'concentratorId' | 'lastAttemptAt'> & {
    concentrators: number;
    lastAttemptAt: Date | null;
  };
}

/** The collection status as operators read it (GET /api/v1/telemanagement/collection?day=). */
export interface CollectionStatusReader {
  status(day: string): Promise<CollectionDayStatus>;
  /** A meter's day file as collected (GET /api/v1/telemanagement/day-files/{pod}/{day}); not_found when it is not. */
  dayFile(pod: string, day: string): Promise<MeterDayFile>;
}
