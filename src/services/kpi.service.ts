import pLimit from 'p-limit';
import { DomainError, DomainErrorCode, invalidInput, type FieldIssue } from '../domain/errors.js';
import {
  addDays,
  dayWindow,
  KPI_GROUPINGS,
  kpiRules,
  KpiVersion,
  parseKpiReport,
  parseReportDay,
  REPORTED_FRAME_TYPES,
  romeDay,
  romeMidnight,
  type DayWindow,
  type KpiGrouping,
  type KpiParticipant,
  type KpiReport,
  type KpiRules,
} from '../domain/kpi.js';
import { parsePod } from '../domain/identifiers.js';
import { readCsv, type CsvLimits } from './bulk-csv.js';
import type { Clock, KpiQuery, KpiScope, PodRange, Storage } from './ports/index.js';
import type { Caller } from '../domain/caller.js';

export interface KpiSettings {
  /** Performance below this (0–1) is flagged below_target; the top performance band starts there. */
  target: number;
  /** Day D is computed at this hour (Rome) of D+1 (provisional), and again 24 h later (final). */
  cutoffHour: number;
  /** How many past days the scheduled job looks back for a version still to compute. */
  lookbackDays: number;
  /** A day is computed in this many ranges of supply points at once on a database server (one on the embedded one). */
  computeParts: number;
}

type ReportInput = { position: { index?: number; line?: number }; fields: Record<string, unknown> };

export const KPI_CSV_COLUMNS = ['POD', 'GIORNO', 'RICEVUTI'] as const;
/** The longest period one query may span. */
const MAX_QUERY_DAYS = 366;
/** A day computed in one range: every supply point. */
const EVERY_POD: PodRange = { from: null, to: null };

export interface Refusal {
  /** Position in the JSON array (0-based) or line of the CSV file (the header is line 1). */
  index?: number;
  line?: number;
  pod: string;
  issues: FieldIssue[];
}

/**
 * The monitoring platform: participants' daily reports of frames received, telemanagement's counts of frames sent,
 * and the performance computed from them per supply point and day, then aggregated. Reports and figures are
 * restricted to what the caller may see: an asset provider its associations' supply points, a retailer those it
 * serves, the DSO everything.
 */
export class KpiService {
  /**
   * Submissions taken in at once by this process, the others waiting their turn: a day's files arrive together,
   * and each holds its rows in memory while stored (measured once: 10 files of 100,000 rows at once took 20 % longer
   * than 2 at a time, one parsed while the other is stored, most of the difference in garbage collection).
   */
  private readonly intake = pLimit(2);
  /** The flags and bands under the settings' target (domain/kpi.ts: KPI_FLAG_RULES, PERFORMANCE_BANDS). */
  private readonly rules: KpiRules;

  constructor(private readonly deps: { storage: Storage; clock: Clock; settings: KpiSettings; csvLimits: CsvLimits }) {
    this.rules = kpiRules(deps.settings.target);
  }

  /** Stores the valid reports the participant has a right to, all at once; refuses the others row by row. */
  submit(
    participant: KpiParticipant,
    inputs: readonly ReportInput[],
  ): Promise<{ accepted: number; refused: Refusal[] }> {
    return this.intake(() => this.store(participant, inputs));
  }

  private async store(
    participant: KpiParticipant,
    inputs: readonly ReportInput[],
  ): Promise<{ accepted: number; refused: Refusal[] }> {
    const today = romeDay(this.deps.clock.now());
    const refused: Refusal[] = [];
    const valid: { report: KpiReport; position: { index?: number; line?: number } }[] = [];
    const seen = new Map<string, number | undefined>();
    for (const { position, fields } of inputs) {
      const parsed = parseKpiReport(fields, today);
      if (!parsed.ok) {
        refused.push({ ...position, pod: parsed.pod, issues: parsed.issues });
        continue;
      }
      const key = `${parsed.report.pod}|${parsed.report.day}`;
      if (seen.has(key)) {
        const where = position.line === undefined ? `report ${seen.get(key)}` : `line ${seen.get(key)}`;
        refused.push({
          ...position,
          pod: parsed.report.pod,
          issues: [{ field: 'pod', code: 'duplicate', message: `The same POD and day are already on ${where}` }],
        });
        continue;
      }
      seen.set(key, position.line ?? position.index);
      valid.push({ report: parsed.report, position });
    }
    const notTheirs = await this.deps.storage.transaction((tx) =>
      tx.kpiReports.insertReports(
        participant,
        valid.map((v) => v.report),
        this.deps.clock.now(),
      ),
    );
    for (const i of notTheirs) {
      const { report, position } = valid[i]!;
      refused.push({
        ...position,
        pod: report.pod,
        issues: [
          {
            field: 'pod',
            code: 'not_your_supply_point',
            message:
              participant.kind === 'retailer'
                ? `${report.pod} is not a supply point you serve`
                : `${report.pod} has no association of yours`,
          },
        ],
      });
    }
    refused.sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
    return { accepted: valid.length - notTheirs.size, refused };
  }

  /** The same from a `;`-separated file: POD;GIORNO;RICEVUTI, optionally followed by a column per frame type. */
  submitCsv(participant: KpiParticipant, bytes: Buffer): Promise<{ accepted: number; refused: Refusal[] }> {
    return this.intake(() => this.storeCsv(participant, bytes));
  }

  private storeCsv(participant: KpiParticipant, bytes: Buffer): Promise<{ accepted: number; refused: Refusal[] }> {
    const { header, rows } = readCsv(bytes, this.deps.csvLimits);
    const columns = header.map((h) => h.toUpperCase());
    const typeColumns = columns.slice(3);
    const unknown = typeColumns.filter((c) => !(REPORTED_FRAME_TYPES as readonly string[]).includes(c));
    if (columns.slice(0, 3).join(';') !== KPI_CSV_COLUMNS.join(';') || unknown.length > 0) {
      throw new DomainError(
        DomainErrorCode.invalidFile,
        `The first line must be the header ${KPI_CSV_COLUMNS.join(';')}, optionally followed by frame types (${REPORTED_FRAME_TYPES.join(';')})`,
        { found: header.join(';') },
      );
    }
    return this.store(
      participant,
      rows.map(({ line, fields }) => {
        if (typeColumns.length === 0)
          return { position: { line }, fields: { pod: fields[0], day: fields[1], received: fields[2] } };
        // Empty frame-type cells are counts not given; with none given, RICEVUTI alone is the report.
        const byType = typeColumns.map((t, i) => [t, fields[3 + i] ?? ''] as const).filter(([, value]) => value !== '');
        return {
          position: { line },
          fields: {
            pod: fields[0],
            day: fields[1],
            received: fields[2] === '' && byType.length ? undefined : fields[2],
            receivedByType: byType.length ? Object.fromEntries(byType) : undefined,
          },
        };
      }),
    );
  }

  /** Every version of a report (the caller's own, or every participant's for the DSO), newest first. */
  async reportHistory(caller: Caller, podInput: string, dayInput: string) {
    const pod = parsePod(podInput);
    const day = parseReportDay(dayInput, '9999-12-31');
    if (!pod.ok || !day.ok) throw invalidInput([...(pod.ok ? [] : [pod.issue]), ...(day.ok ? [] : [day.issue])]);
    const own = caller.role === 'dso_operator' ? undefined : [participantOf(caller).id];
    return this.deps.storage.kpiReports.reportHistory(pod.value, day.value, own);
  }

  /**
   * Computes one version of day D for every supply point in scope that day, from the meters' counts that collection
   * stored (collection.store.ts); returns how many. `ifMissing`: not when a run of it is recorded (another process
   * computed it meanwhile). `ifStale`: only if the day is still marked stale (no other process recomputed it).
   *
   * One computation of a day's version at a time: the transaction that records the run holds the day's lock from
   * the start. On a database server the supply points are split in `computeParts` ranges computed at once, each in
   * its own transaction (a statement that writes runs on one core), at most as many as the pool's connections but
   * the lock's. The version is readable once all are done, when its run is recorded; until then, and if one fails,
   * readers see the other version if there is one (a version computed again is unreadable meanwhile: the scheduled
   * job asks `ifMissing`, so it never recomputes one that another process has just recorded).
   */
  async computeDay(day: string, version: KpiVersion, { ifMissing = false, ifStale = false } = {}): Promise<number> {
    const { storage, settings, clock } = this.deps;
    const at = clock.now();
    const window = dayWindow(day);
    return storage.transaction(async (run) => {
      await run.kpiCompute.lockDay(day, version);
      const recorded = (await run.kpiCompute.runs(day, day)).find((r) => r.version === version);
      if (ifMissing && recorded) return recorded.pods;
      // Counts collected from here on mark the day stale again, and are computed at a later run.
      const wasStale = await run.kpiCompute.clearStale(day);
      if (ifStale && !wasStale) return recorded?.pods ?? 0;
      // Ranges at once beside this transaction, which holds a connection of its own while they run.
      const width = Math.min(settings.computeParts, storage.transactionsAtOnce - 1);
      if (width > 1) {
        // Statistics committed at once: the ranges' transactions are to plan with them.
        await storage.kpiCompute.refreshStatistics();
        const ranges = await storage.kpiCompute.podRanges(width);
        if (ranges.length > 1) {
          await this.computeRanges(day, version, window, ranges);
          return run.kpiCompute.recordRun(day, version, at);
        }
      } else {
        await run.kpiCompute.refreshStatistics();
      }
      await run.kpiCompute.clear(day, version);
      await run.kpiCompute.computeRange(day, version, window, this.rules, EVERY_POD);
      return run.kpiCompute.recordRun(day, version, at);
    });
  }

  /** The ranges of a day's version at once, each in a transaction of its own, beside the one holding the day's lock. */
  private async computeRanges(
    day: string,
    version: KpiVersion,
    window: DayWindow,
    ranges: readonly PodRange[],
  ): Promise<void> {
    const { storage } = this.deps;
    await storage.transaction((tx) => tx.kpiCompute.clear(day, version));
    // Every range's transaction ended before the lock goes, even when one fails: no range of a failed attempt
    // commits under the next one.
    const outcomes = await Promise.allSettled(
      ranges.map((range) =>
        storage.transaction((tx) => tx.kpiCompute.computeRange(day, version, window, this.rules, range)),
      ),
    );
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * The scheduled job: each day D is computed at the cut-off of D+1 (provisional) and again a day later (final),
   * both versions kept; a day whose meter counts were collected after it was computed (a meter read late) is
   * computed again, its latest version. Returns the versions it computed.
   */
  async runDue(): Promise<{ day: string; version: KpiVersion }[]> {
    const now = this.deps.clock.now();
    const { lookbackDays } = this.deps.settings;
    const today = romeDay(now);
    const done = new Set(
      (await this.deps.storage.kpiCompute.runs(addDays(today, -lookbackDays), today)).map(
        (r) => `${r.day}|${r.version}`,
      ),
    );
    const computed: { day: string; version: KpiVersion }[] = [];
    for (let back = lookbackDays; back >= 1; back--) {
      const day = addDays(today, -back);
      for (const version of [KpiVersion.provisional, KpiVersion.final]) {
        const dueAt = this.dueAt(day, version);
        if (now.getTime() < dueAt || done.has(`${day}|${version}`)) continue;
        // A final version found due before its provisional one (the job was down) stands for both.
        if (version === KpiVersion.provisional && now.getTime() >= dueAt + 24 * 3_600_000) continue;
        // Several worker processes may find it due at once: the first computes it, the others find it recorded.
        await this.computeDay(day, version, { ifMissing: true });
        computed.push({ day, version });
      }
    }
    for (const day of await this.deps.storage.kpiCompute.staleDays()) {
      const version = await this.versionToRecompute(day, now);
      // Not due yet: its scheduled computation will read the counts (and clear the mark).
      if (version === undefined) continue;
      await this.computeDay(day, version, { ifStale: true });
      computed.push({ day, version });
    }
    return computed;
  }

  /** When a version of day D is due: the cut-off hour of D+1 (provisional) or of D+2 (final), Rome. */
  private dueAt(day: string, version: KpiVersion): number {
    return romeMidnight(addDays(day, version)).getTime() + this.deps.settings.cutoffHour * 3_600_000;
  }

  /** A stale day's latest version computed, else (never computed: older than the look-back) its latest one due. */
  private async versionToRecompute(day: string, now: Date): Promise<KpiVersion | undefined> {
    const runs = await this.deps.storage.kpiCompute.runs(day, day);
    if (runs.length > 0) return Math.max(...runs.map((r) => r.version)) as KpiVersion;
    return [KpiVersion.final, KpiVersion.provisional].find((version) => now.getTime() >= this.dueAt(day, version));
  }

  /** Figures grouped by day, asset provider, retailer or supply point, as far as the caller may see. */
  async performance(
    caller: Caller,
    query: { from?: string; to?: string; groupBy?: string; version?: string; limit?: number },
  ) {
    const groupBy = (query.groupBy ?? 'day') as KpiGrouping;
    if (!KPI_GROUPINGS.includes(groupBy))
      throw invalidInput([
        { field: 'groupBy', code: 'invalid_value', message: `groupBy must be one of ${KPI_GROUPINGS.join(', ')}` },
      ]);
    const q = this.query(caller, query);
    const { target, cutoffHour } = this.deps.settings;
    return {
      ...q,
      groupBy,
      target,
      cutoffHour,
      rows: await this.deps.storage.kpiFigures.aggregate(q, groupBy, Math.min(query.limit ?? 1000, 10_000)),
    };
  }

  /**
   * Supply-point days per performance band, every band of the target in order, named by its edges in percent
   * ('90-99', '99-100'): the last one is at or above the target.
   */
  async distribution(caller: Caller, query: { from?: string; to?: string; version?: string }) {
    const q = this.query(caller, query);
    // Bands as computed: days computed under another target than today's keep theirs (compute them again).
    const counts = new Map((await this.deps.storage.kpiFigures.distribution(q)).map((b) => [b.bucket, b.podDays]));
    return {
      ...q,
      buckets: this.rules.bands.map((band) => ({ bucket: band.name, podDays: counts.get(band.bucket) ?? 0 })),
    };
  }

  /** The worst supply-point days first (missing counts last), or one supply point's days with both versions. */
  async podDays(caller: Caller, query: { from?: string; to?: string; version?: string; pod?: string; limit?: number }) {
    const q = this.query(caller, query);
    const pod = query.pod === undefined ? undefined : parsePod(query.pod);
    if (pod && !pod.ok) throw invalidInput([pod.issue]);
    return this.deps.storage.kpiFigures.podDays({
      ...q,
      pod: pod?.value,
      order: pod ? 'day' : 'worst',
      limit: Math.min(query.limit ?? 50, 1000),
    });
  }

  private query(caller: Caller, input: { from?: string; to?: string; version?: string }): KpiQuery {
    const today = romeDay(this.deps.clock.now());
    const issues: FieldIssue[] = [];
    const to =
      input.to === undefined
        ? { ok: true as const, value: addDays(today, -1) }
        : parseReportDay(input.to, '9999-12-31', 'to');
    const from =
      input.from === undefined
        ? { ok: true as const, value: addDays(to.ok ? to.value : today, -29) }
        : parseReportDay(input.from, '9999-12-31', 'from');
    if (!to.ok) issues.push(to.issue);
    if (!from.ok) issues.push(from.issue);
    const version =
      input.version === undefined || input.version === 'latest'
        ? 'latest'
        : input.version === 'provisional'
          ? KpiVersion.provisional
          : input.version === 'final'
            ? KpiVersion.final
            : undefined;
    if (version === undefined)
      issues.push({ field: 'version', code: 'invalid_value', message: 'version must be latest, provisional or final' });
    if (from.ok && to.ok && from.value > to.value)
      issues.push({ field: 'from', code: 'invalid_range', message: 'from must not be after to' });
    if (from.ok && to.ok && addDays(from.value, MAX_QUERY_DAYS) <= to.value)
      issues.push({ field: 'from', code: 'invalid_range', message: `At most ${MAX_QUERY_DAYS} days at once` });
    if (!from.ok || !to.ok || version === undefined || issues.length > 0) throw invalidInput(issues);
    return { from: from.value, to: to.value, version, scope: scopeOf(caller) };
  }
}

/** Who reports for the caller: its asset provider or its retailer (the DSO reports nothing). */
export function participantOf(caller: Caller): KpiParticipant {
  if (caller.role === 'asset_provider') return { kind: 'asset_provider', id: caller.assetProviderId };
  if (caller.role === 'retailer') return { kind: 'retailer', id: caller.retailerId };
  throw new DomainError(
    DomainErrorCode.forbidden,
    'Reports of frames received come from asset providers and retailers, not from the DSO',
  );
}

export function scopeOf(caller: Caller): KpiScope {
  if (caller.role === 'asset_provider') return { assetProviderId: caller.assetProviderId };
  if (caller.role === 'retailer') return { retailerId: caller.retailerId };
  return { all: true };
}
