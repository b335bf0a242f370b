/** Chain 1 daily collection: the day files as collected, and the bookkeeping of who was read when. */
import type { ConcentratorDayRead, MeterDayFile } from '../../domain/day-file.js';
import type { Pod } from '../../domain/identifiers.js';
import type { DayWindow } from '../../domain/kpi.js';
import type { ConcentratorCollection } from './collection.js';

/** A concentrator's collection of one day: what one collection job reads. */
export interface ConcentratorDay {
  concentratorId: string;
  day: string;
}

export interface CollectionStore {
  /** The registry's supply points on the concentrator whose day file of `day` is not stored yet, by POD. */
  podsToCollect(concentratorId: string, day: string): Promise<Pod[]>;
  /**
   * Inside a transaction: stores what a daily read brought back, as one unit.
   * - Day files and the substation's file are written once: a file already stored stays as it was.
   * - Each newly stored file's Chain 2 frames sent (`chain2FramesSent.total`) becomes the KPI meter count of its
   *   supply point and day, when the meter sent frames that day or an association was active at some instant of it
   *   (`window`, on the meters' clock): the monitoring's scope is the supply points with Chain 2, not every meter.
   *   When counts are written, the day is marked stale, for the KPI job to compute it again.
   * - The meters missing are recorded with their reason; the attempt, its link time and the meters still
   *   outstanding are recorded on the concentrator's day.
   * Returns the day files newly stored and the meter counts written.
   */
  storeRead(read: ConcentratorDayRead, at: Date, window: DayWindow): Promise<{ stored: number; counted: number }>;
  /**
   * Schedules on `runDay` the first collection of `days` for every concentrator that has meters and no collection
   * of that day yet (a concurrent caller gets none of the same); returns what it scheduled.
   */
  scheduleFirstRuns(days: readonly string[], runDay: string): Promise<ConcentratorDay[]>;
  /**
   * Schedules on `runDay` the collections of days `from`…`to` with meters still outstanding (or never read) that no
   * run of `runDay` has scheduled yet; returns what it scheduled.
   */
  scheduleLateRuns(from: string, to: string, runDay: string): Promise<ConcentratorDay[]>;
  /** A meter's day file as it was collected (the raw landing, never changed); undefined when not collected. */
  dayFile(pod: Pod, day: string): Promise<MeterDayFile | undefined>;
  /** Each concentrator with meters or a collection of the day, as the registry and the stored files have it. */
  status(day: string): Promise<ConcentratorCollection[]>;
}
