import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { KpiParticipant, KpiReport } from '../domain/kpi.js';
import type { Pod } from '../domain/identifiers.js';
import type { KpiReportStore } from '../services/ports/index.js';
import { CHUNK, chunks } from './chunks.js';
import type { Database } from './schema.js';

/**
 * Reports in, set-based: a file of reports stored by one statement (a few when it supersedes earlier ones) whatever
 * its number of rows, with the participant's right to each supply point joined once; the superseded kept in the history.
 */
export class SqlKpiReportStore implements KpiReportStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertReports(participant: KpiParticipant, reports: readonly KpiReport[], at: Date): Promise<Set<number>> {
    if (reports.length === 0) return new Set();
    const id = participant.id;
    // One submission of a participant at a time: the next one sees what this one stored (and supersedes it).
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`kpi_reports:${id}`}))`.execute(this.db);
    // The participant's supply points, joined as a set (one range of an index) rather than probed row by row.
    const theirs =
      participant.kind === 'retailer'
        ? sql`SELECT pod FROM supply_contracts WHERE retailer_id = ${id}::uuid`
        : sql`SELECT DISTINCT pod FROM associations WHERE asset_provider_id = ${id}::uuid AND status <> 'rejected'`;
    const rowsOf = (chunk: readonly KpiReport[], n: number) => sql`
      SELECT u.*, t.pod IS NOT NULL AS theirs FROM unnest(${chunk.map((_, i) => n * CHUNK + i)}::integer[], ${chunk.map((r) => r.pod)}::text[],
        ${chunk.map((r) => r.day)}::date[], ${chunk.map((r) => r.received)}::integer[],
        ${chunk.map((r) => (r.receivedByType ? JSON.stringify(r.receivedByType) : null))}::jsonb[]) AS u(idx, pod, day, received, by_type)
      LEFT JOIN (${theirs}) t ON t.pod = u.pod
    `;
    // Added in the index's order, so they go into one range of it, page after page. (Sorted bytewise, 3× faster
    // than by the database's collation; for POD codes, capitals and digits, the two orders are the same, and if they
    // were not the rows would only go in slower.)
    const add = (from: RawBuilder<unknown>, only: RawBuilder<unknown> = sql``) => sql`
      INSERT INTO kpi_reports (day, pod, participant_id, participant_kind, version, received, received_by_type, reported_at)
      SELECT s.day, s.pod, ${id}::uuid, ${participant.kind}, 1, s.received, s.by_type, ${at} FROM ${from} s
      WHERE s.theirs ${only} ORDER BY s.day, s.pod COLLATE "C"
    `;
    const days = [...new Set(reports.map((r) => r.day))];
    const reportedBefore = await sql<{ found: boolean }>`
      SELECT EXISTS (SELECT 1 FROM kpi_reports WHERE participant_id = ${id}::uuid AND day = ANY(${days}::date[])) AS found
    `.execute(this.db);

    if (!reportedBefore.rows[0]!.found) {
      // The first reports of these days: added straight from the arrays, one statement per chunk.
      const refused = new Set<number>();
      for (const [n, chunk] of chunks(reports).entries()) {
        const result = await sql<{ idx: number }>`
          WITH s AS MATERIALIZED (${rowsOf(chunk, n)}), added AS (${add(sql`s`)})
          SELECT idx FROM s WHERE NOT theirs
        `.execute(this.db);
        for (const row of result.rows) refused.add(row.idx);
      }
      return refused;
    }

    // Some supersede earlier reports: staged in a temporary table of the caller's transaction (its rows go at commit),
    // the superseded moved to the history and replaced, the others added.
    await sql`CREATE TEMP TABLE IF NOT EXISTS kpi_staged (idx integer, pod text, day date, received integer, by_type jsonb, theirs boolean) ON COMMIT DELETE ROWS`.execute(
      this.db,
    );
    for (const [n, chunk] of chunks(reports).entries())
      await sql`INSERT INTO kpi_staged ${rowsOf(chunk, n)}`.execute(this.db);
    await sql`ANALYZE kpi_staged`.execute(this.db);
    await sql`
      INSERT INTO kpi_report_history (day, pod, participant_id, participant_kind, version, received, received_by_type, reported_at, superseded_at)
      SELECT k.day, k.pod, k.participant_id, k.participant_kind, k.version, k.received, k.received_by_type, k.reported_at, ${at}
      FROM kpi_reports k JOIN kpi_staged s ON k.day = s.day AND k.participant_id = ${id}::uuid AND k.pod = s.pod
      WHERE s.theirs
    `.execute(this.db);
    // An update of the superseded, a plain insert of the new: ON CONFLICT's speculative insertion costs twice as much.
    await sql`
      UPDATE kpi_reports k SET version = k.version + 1, received = s.received, received_by_type = s.by_type, reported_at = ${at}
      FROM kpi_staged s WHERE k.day = s.day AND k.participant_id = ${id}::uuid AND k.pod = s.pod AND s.theirs
    `.execute(this.db);
    await add(
      sql`kpi_staged`,
      sql`AND NOT EXISTS (SELECT 1 FROM kpi_reports k WHERE k.day = s.day AND k.participant_id = ${id}::uuid AND k.pod = s.pod)`,
    ).execute(this.db);
    const refused = await sql<{ idx: number }>`SELECT idx FROM kpi_staged WHERE NOT theirs`.execute(this.db);
    return new Set(refused.rows.map((r) => r.idx));
  }

  async reportHistory(pod: string, day: string, participantIds?: readonly string[]) {
    const only = participantIds && (participantIds.length ? participantIds : ['00000000-0000-0000-0000-000000000000']);
    // kpi_reports is keyed by day, participant, supply point: one probe per participant rather than the whole day.
    const participants = only
      ? sql<boolean>`participant_id IN (${sql.join(only)})`
      : sql<boolean>`participant_id IN (SELECT retailer_id FROM retailers UNION ALL SELECT asset_provider_id FROM asset_providers)`;
    const current = this.db
      .selectFrom('kpi_reports')
      .select([
        'participant_id',
        'participant_kind',
        'pod',
        sql<string>`day::text`.as('day'),
        'version',
        'received',
        'received_by_type',
        'reported_at',
        sql<Date | null>`NULL::timestamptz`.as('superseded_at'),
      ])
      .where('pod', '=', pod)
      .where('day', '=', day)
      .where(participants);
    const earlier = this.db
      .selectFrom('kpi_report_history')
      .select([
        'participant_id',
        'participant_kind',
        'pod',
        sql<string>`day::text`.as('day'),
        'version',
        'received',
        'received_by_type',
        'reported_at',
        'superseded_at',
      ])
      .where('pod', '=', pod)
      .where('day', '=', day)
      .$if(only !== undefined, (q) => q.where('participant_id', 'in', only!));
    const rows = await current.unionAll(earlier).orderBy('participant_id').orderBy('version', 'desc').execute();
    return rows.map((r) => ({
      participant: { kind: r.participant_kind, id: r.participant_id } as KpiParticipant,
      pod: r.pod as Pod,
      day: r.day,
      version: r.version,
      received: r.received,
      receivedByType: r.received_by_type,
      reportedAt: r.reported_at,
      supersededAt: r.superseded_at,
    }));
  }
}
