import { invalidInput } from '../domain/errors.js';
import { parsePod, type Pod } from '../domain/identifiers.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids are UUIDs; anything else names nothing (and never reaches the database as a malformed uuid). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Cursors are opaque to clients: the id of the last item returned, base64url-encoded. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id))
    throw invalidInput([{ field: 'cursor', code: 'invalid_cursor', message: 'cursor is not one this API returned' }]);
  return id;
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidInput([
      { field: 'limit', code: 'out_of_range', message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` },
    ]);
  }
  return limit;
}

/** Callers fetch limit + 1 rows: the extra one only tells whether another page exists. */
export function toPage<T>(rows: T[], limit: number, idOf: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(idOf(last), 'utf8').toString('base64url') : null,
  };
}

/** An optional `pod=` filter of a list: absent or empty means every POD; a malformed one is a 400. */
export function podFilter(value: string | undefined): Pod | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = parsePod(value);
  if (!parsed.ok) throw invalidInput([parsed.issue]);
  return parsed.value;
}
