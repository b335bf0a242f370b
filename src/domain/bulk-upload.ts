import type { Eligibility } from './eligibility.js';
import type { FieldIssue } from './errors.js';
import type { Pod } from './identifiers.js';
import type { RequestStatus } from './request.js';
import { parseUserDevice, type UserDevice } from './user-device.js';
import { parsePod } from './identifiers.js';

/**
 * Bulk creation of associations from a CSV file (CHAIN2.md §3.5). Columns are a choice of ours (no public
 * layout): `POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW`, with a header row.
 */
export const BULK_COLUMNS = ['POD', 'NOME_DU', 'MAC_ADDRESS', 'CHIAVE', 'VERSIONE_HW', 'VERSIONE_SW'] as const;
export type BulkColumn = (typeof BULK_COLUMNS)[number];

const DU_FIELD_OF: Record<Exclude<BulkColumn, 'POD'>, keyof UserDevice> = {
  NOME_DU: 'name',
  MAC_ADDRESS: 'macAddress',
  CHIAVE: 'encryptionKey',
  VERSIONE_HW: 'hardwareVersion',
  VERSIONE_SW: 'softwareVersion',
};
const COLUMN_OF = Object.fromEntries(
  Object.entries(DU_FIELD_OF).map(([column, field]) => [`du.${field}`, column]),
) as Record<string, BulkColumn>;

/** What became of a row at upload; once a request exists, the row follows the request's status. */
export const BulkRowOutcome = { invalid: 'invalid', notEligible: 'not_eligible', request: 'request' } as const;
export type BulkRowOutcome = (typeof BulkRowOutcome)[keyof typeof BulkRowOutcome];

/** Why rows of one file clash with each other (the first occurrence goes on, the later ones are refused). */
export const BulkRowIssue = {
  duplicatePod: 'duplicate_pod',
  duplicateMac: 'duplicate_mac_address',
  wrongColumnCount: 'wrong_column_count',
} as const;

export type ValidatedRow =
  { ok: true; line: number; pod: Pod; du: UserDevice } | { ok: false; line: number; pod: string; issues: FieldIssue[] };

/** Validates one record (already split into fields); issues name the CSV column, e.g. `MAC_ADDRESS`. */
export function validateBulkRecord(record: readonly string[], line: number): ValidatedRow {
  const rawPod = (record[0] ?? '').trim();
  if (record.length !== BULK_COLUMNS.length) {
    return {
      ok: false,
      line,
      pod: rawPod,
      issues: [
        {
          field: 'row',
          code: BulkRowIssue.wrongColumnCount,
          message: `line ${line} has ${record.length} fields; expected ${BULK_COLUMNS.length} (${BULK_COLUMNS.join(';')})`,
        },
      ],
    };
  }
  const issues: FieldIssue[] = [];
  const pod = parsePod(record[0], 'POD');
  if (!pod.ok) issues.push(pod.issue);
  const du = parseUserDevice(
    Object.fromEntries(
      BULK_COLUMNS.slice(1).map((column, i) => [DU_FIELD_OF[column as Exclude<BulkColumn, 'POD'>], record[i + 1]]),
    ),
    issues,
  );
  if (!pod.ok || !du) {
    return {
      ok: false,
      line,
      pod: rawPod,
      issues: issues.map((i) => {
        const column = COLUMN_OF[i.field] ?? i.field;
        return { ...i, field: column, message: i.message.replace(i.field, column) };
      }),
    };
  }
  return { ok: true, line, pod: pod.value, du };
}

/** Refuses, per row, a POD or a MAC address that an earlier row of the same file already uses. */
export function refuseDuplicates(rows: ValidatedRow[]): ValidatedRow[] {
  const firstPod = new Map<string, number>();
  const firstMac = new Map<string, number>();
  return rows.map((row) => {
    if (!row.ok) return row;
    const podLine = firstPod.get(row.pod);
    const macLine = firstMac.get(row.du.macAddress);
    const issues: FieldIssue[] = [];
    if (podLine !== undefined)
      issues.push({
        field: 'POD',
        code: BulkRowIssue.duplicatePod,
        message: `POD already on line ${podLine} of this file`,
      });
    if (macLine !== undefined)
      issues.push({
        field: 'MAC_ADDRESS',
        code: BulkRowIssue.duplicateMac,
        message: `MAC_ADDRESS already on line ${macLine} of this file`,
      });
    if (issues.length > 0) return { ok: false, line: row.line, pod: row.pod, issues };
    firstPod.set(row.pod, row.line);
    firstMac.set(row.du.macAddress, row.line);
    return row;
  });
}

/** The per-row report: the eligibility outcome of the supply and the processing outcome of its association. */
export interface BulkReportRow {
  line: number;
  pod: string;
  eligibility: Pick<Eligibility, 'eligible' | 'reasons'> | null;
  status: BulkRowOutcome | RequestStatus;
  reason: string | null;
  issues: FieldIssue[];
  requestId: string | null;
}

export interface BulkCounts {
  total: number;
  invalid: number;
  notEligible: number;
  queued: number;
  takenInCharge: number;
  completed: number;
  rejected: number;
  failed: number;
}

/** `queued` counts requests not yet taken in charge (submitted or queued, e.g. waiting for the quota). */
export function countRows(rows: readonly Pick<BulkReportRow, 'status'>[]): BulkCounts {
  const counts: BulkCounts = {
    total: rows.length,
    invalid: 0,
    notEligible: 0,
    queued: 0,
    takenInCharge: 0,
    completed: 0,
    rejected: 0,
    failed: 0,
  };
  for (const { status } of rows) {
    if (status === 'invalid') counts.invalid++;
    else if (status === 'not_eligible') counts.notEligible++;
    else if (status === 'submitted' || status === 'queued') counts.queued++;
    else if (status === 'taken_in_charge') counts.takenInCharge++;
    else if (status === 'completed') counts.completed++;
    else if (status === 'rejected') counts.rejected++;
    else if (status === 'failed') counts.failed++;
  }
  return counts;
}

/** At most `limit` bulk associations taken in charge per asset provider in any rolling 24 h (CHAIN2.md §3.5). */
export const QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;
export const QUOTA_DEFERRED = 'quota_deferred';

export function hasQuotaLeft(takenInChargeInWindow: number, limit: number): boolean {
  return takenInChargeInWindow < limit;
}
