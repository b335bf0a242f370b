import type { BulkReportRow } from '../domain/bulk-upload.js';

/** Column headers of the report, in Italian for the asset providers' spreadsheets. */
const HEADERS = ['Riga', 'POD', 'Idoneo', 'Motivi_non_idoneita', 'Stato', 'Motivo', 'Dettaglio', 'ID_richiesta'];

/** `;`-separated; a field with `;`, a quote or a line break is quoted, quotes doubled (RFC 4180 style). */
function cell(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV an Italian spreadsheet opens as is: `;` separators, CRLF, a BOM so Excel reads UTF-8. */
export function spreadsheetCsv(headers: readonly string[], rows: Iterable<readonly string[]>): string {
  const lines = [headers.join(';')];
  for (const row of rows) lines.push(row.map(cell).join(';'));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** A time as Italians read it in a spreadsheet: dd/mm/yyyy hh:mm:ss, Rome time. */
export function romeDateTime(at: Date | null): string {
  if (!at) return '';
  return at.toLocaleString('it-IT', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).replace(',', '');
}

/** The per-row report of a bulk upload. */
export function bulkReportCsv(rows: readonly BulkReportRow[]): string {
  return spreadsheetCsv(HEADERS, rows.map((r) => [
    String(r.line),
    r.pod,
    r.eligibility === null ? '' : r.eligibility.eligible ? 'SI' : 'NO',
    r.eligibility?.reasons.join(',') ?? '',
    r.status,
    r.reason ?? '',
    r.issues.map((i) => `${i.field}: ${i.message}`).join(' | '),
    r.requestId ?? '',
  ]));
}
