import type { BulkReportRow } from '../domain/bulk-upload.js';

/** Column headers of the report, in Italian for the asset providers' spreadsheets. */
const HEADERS = ['Riga', 'POD', 'Idoneo', 'Motivi_non_idoneita', 'Stato', 'Motivo', 'Dettaglio', 'ID_richiesta'];

/** `;`-separated; a field with `;`, a quote or a line break is quoted, quotes doubled (RFC 4180 style). */
function cell(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The per-row report as a CSV an Italian spreadsheet opens as is: `;` separators, a BOM so Excel reads UTF-8. */
export function bulkReportCsv(rows: readonly BulkReportRow[]): string {
  const lines = [HEADERS.join(';')];
  for (const r of rows) {
    lines.push([
      String(r.line),
      r.pod,
      r.eligibility === null ? '' : r.eligibility.eligible ? 'SI' : 'NO',
      r.eligibility?.reasons.join(',') ?? '',
      r.status,
      r.reason ?? '',
      r.issues.map((i) => `${i.field}: ${i.message}`).join(' | '),
      r.requestId ?? '',
    ].map(cell).join(';'));
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
