import { parse } from 'csv-parse/sync';
import { BULK_COLUMNS } from '../domain/bulk-upload.js';
import { DomainError, DomainErrorCode } from '../domain/errors.js';

export interface BulkLimits {
  maxBytes: number;
  maxRows: number;
}

export interface CsvRecord {
  line: number;
  fields: string[];
}

function invalidFile(message: string, details?: unknown): DomainError {
  return new DomainError(DomainErrorCode.invalidFile, message, details);
}

/**
 * Splits a bulk CSV into records with their line numbers. Refuses the whole file (nothing is created) when it is
 * not text, too large, has no header or the wrong one. UTF-8, a BOM accepted; `;` separator, or `,` when the
 * header uses it; quoted fields as spreadsheets write them.
 */
export function splitBulkCsv(bytes: Buffer, limits: BulkLimits): CsvRecord[] {
  if (bytes.length > limits.maxBytes) {
    throw new DomainError(DomainErrorCode.fileTooLarge, `The file is ${bytes.length} bytes; at most ${limits.maxBytes} are accepted`);
  }
  if (bytes.includes(0)) throw invalidFile('The file is not text (it contains NUL bytes): send a UTF-8 CSV');
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD'))) throw invalidFile('The file is not valid UTF-8: save the CSV as UTF-8');
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') ? ';' : ',';
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof parsed;
  } catch (error) {
    throw invalidFile(`The CSV cannot be read: ${(error as Error).message}`);
  }
  const [header, ...rows] = parsed;
  const expected = BULK_COLUMNS.join(delimiter);
  if (!header || header.record.map((h) => h.toUpperCase()).join(delimiter) !== expected) {
    throw invalidFile(`The first line must be the header ${BULK_COLUMNS.join(';')}`, { found: header?.record.join(delimiter) ?? '' });
  }
  if (rows.length === 0) throw invalidFile('The file has a header but no rows');
  if (rows.length > limits.maxRows) throw new DomainError(DomainErrorCode.fileTooLarge, `The file has ${rows.length} rows; at most ${limits.maxRows} are accepted`);
  return rows.map(({ record, info }) => ({ line: info.lines, fields: record }));
}
