import type { MeterDayFile } from '../domain/day-file.js';
import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors.js';
import type { Pod } from '../domain/identifiers.js';
import { addDays, dayWindow, parseReportDay, romeDay, romeMidnight } from '../domain/kpi.js';
import type {
  Clock,
  CollectionDayStatus,
  CollectionStatusReader,
  ConcentratorCollection,
  ConcentratorDay,
  HeadEnd,
  Storage,
  Stores,
} from './ports/index.js';

export interface CollectionSettings {
  /** Day D is first collected once the meters' clock is past this hour (Europe/Rome) of D+1. */
  startHour: number;
  /**
   * Days after its first run that a day's missing meters are still asked for (on each day's run); then they stay
   * missing. A day D is asked on the runs of D+1 … D+1+maxDaysLate.
   */
  maxDaysLate: number;
}

/**
 * Chain 1 daily collection: each concentrator is read for each day, its meters' day files stored as they come, and
 * the meters that did not answer asked again on the next days' runs. Days and times are on the meters' clock (the
 * simulated time of an in-process field network), like the monitoring that uses the counts collected here.
 */
export class CollectionService implements CollectionStatusReader {
  constructor(
    private readonly deps: { storage: Storage; headEnd: HeadEnd; clock: Clock; settings: CollectionSettings },
  ) {}

  /**
   * Reads the concentrator's meters whose day file of `day` is not stored yet and stores what comes back, in one
   * transaction. Run again (a retried job, a later day's run) it asks only for what is still missing, and a file
   * that comes twice is stored once.
   */
  async collectConcentratorDay(
    concentratorId: string,
    day: string,
  ): Promise<{ asked: number; stored: number; missing: number }> {
    const { storage, headEnd, clock } = this.deps;
    const pods = await storage.collection.podsToCollect(concentratorId, day);
    if (pods.length === 0) return { asked: 0, stored: 0, missing: 0 };
    const read = await headEnd.dailyRead({ concentratorId, day, pods });
    if (read.concentratorId !== concentratorId || read.day !== day)
      throw new Error(`The head-end answered ${read.concentratorId} ${read.day} to a read of ${concentratorId} ${day}`);
    const { stored } = await storage.transaction((tx) => tx.collection.storeRead(read, clock.now(), dayWindow(day)));
    return { asked: pods.length, stored, missing: read.missing.length };
  }

  /**
   * Inside the transaction that enqueues their jobs: the collections due now, each once per run day however many
   * schedulers ask — yesterday's first one for every concentrator, and the earlier days' still missing meters.
   */
  async scheduleDue(tx: Stores): Promise<ConcentratorDay[]> {
    const runDay = this.runDay();
    const yesterday = addDays(runDay, -1);
    const first = await tx.collection.scheduleFirstRuns([yesterday], runDay);
    const late = await tx.collection.scheduleLateRuns(
      addDays(yesterday, -this.deps.settings.maxDaysLate),
      addDays(yesterday, -1),
      runDay,
    );
    return [...first, ...late];
  }

  /** Inside the transaction that enqueues their jobs: the first collection of the last `days` days not scheduled yet. */
  async scheduleBackfill(tx: Stores, days: number): Promise<ConcentratorDay[]> {
    const runDay = this.runDay();
    return tx.collection.scheduleFirstRuns(
      Array.from({ length: days }, (_, i) => addDays(runDay, -days + i)),
      runDay,
    );
  }

  /** The day whose run has started on the meters' clock: today once past the start hour, else yesterday. */
  private runDay(): string {
    const now = this.deps.clock.now();
    const today = romeDay(now);
    const startsAt = romeMidnight(today).getTime() + this.deps.settings.startHour * 3_600_000;
    return now.getTime() >= startsAt ? today : addDays(today, -1);
  }

  async dayFile(pod: string, dayInput: string): Promise<MeterDayFile> {
    const day = parseReportDay(dayInput, '9999-12-31');
    if (!day.ok) throw invalidInput([day.issue]);
    const file = await this.deps.storage.collection.dayFile(pod as Pod, day.value);
    if (!file)
      throw new DomainError(DomainErrorCode.notFound, `No day file of ${pod} for ${day.value} has been collected`);
    return file;
  }

  async status(dayInput: string): Promise<CollectionDayStatus> {
    const day = parseReportDay(dayInput, '9999-12-31');
    if (!day.ok) throw invalidInput([day.issue]);
    const concentrators = (await this.deps.storage.collection.status(day.value)).sort(worstFirst);
    const sum = (of: (c: ConcentratorCollection) => number) => concentrators.reduce((total, c) => total + of(c), 0);
    const attempts = concentrators.flatMap((c) => (c.lastAttemptAt ? [c.lastAttemptAt.getTime()] : []));
    return {
      day: day.value,
      concentrators,
      totals: {
        concentrators: concentrators.length,
        meters: sum((c) => c.meters),
        collected: sum((c) => c.collected),
        late: sum((c) => c.late),
        missing: sum((c) => c.missing),
        linkSeconds: sum((c) => c.linkSeconds),
        lastAttemptAt: attempts.length ? new Date(Math.max(...attempts)) : null,
      },
    };
  }
}

/** Most missing, then most late, then by concentrator id. */
function worstFirst(a: ConcentratorCollection, b: ConcentratorCollection): number {
  return (
    b.missing - a.missing ||
    b.late - a.late ||
    (a.concentratorId < b.concentratorId ? -1 : a.concentratorId > b.concentratorId ? 1 : 0)
  );
}
