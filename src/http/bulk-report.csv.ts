import type { BulkReportRow } from '../domain/bulk-upload.js';

/** Column headers of the report, in Italian for the asset providers' spreadsheets. */
const HEADERS = ['Riga', 'POD', 'Idoneo', 'Motivi_non_idoneita', 'Stato', 'Motivo', 'Dettaglio', 'ID_richiesta'];

/** What a spreadsheet reads as the start of a formula (OWASP "CSV Injection"); a plain number is left alone. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+([.,]\d+)?$/;

/**
 * One field: a value a spreadsheet would run as a formula is neutralised with a leading `'` (shown as text, never
 * executed); a field with `;`, a quote, a line break or that prefix is quoted, quotes doubled (RFC 4180 style).
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return safe !== value || /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV an Italian spreadsheet opens as is and safely: `;` separators, CRLF, a BOM so Excel reads UTF-8, no formulas. */
export function spreadsheetCsv(headers: readonly string[], rows: Iterable<readonly string[]>): string {
  const lines = [headers.join(';')];
  for (const row of rows) lines.push(row.map(csvCell).join(';'));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** A time as Italians read it in a spreadsheet: dd/mm/yyyy hh:mm:ss, Rome time. */
export function romeDateTime(at: Date | null): string {
  if (!at) return '';
  return at
    .toLocaleString('it-IT', {
      timeZone: 'Europe/Rome',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    .replace(',', '');
}

/** The per-row report of a bulk upload. */
export function bulkReportCsv(rows: readonly BulkReportRow[]): string {
  return spreadsheetCsv(
    HEADERS,
    rows.map((r) => [
      String(r.line),
      r.pod,
      r.eligibility === null ? '' : r.eligibility.eligible ? 'SI' : 'NO',
      r.eligibility?.reasons.join(',') ?? '',
      r.status,
      r.reason ?? '',
      r.issues.map((i) => `${i.field}: ${i.message}`).join(' | '),
      r.requestId ?? '',
    ]),
  );
}
