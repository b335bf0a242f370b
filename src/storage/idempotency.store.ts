import { sql, type Kysely } from 'kysely';
import type { IdempotencyStore, StoredResponse } from '../services/ports/index.js';
import type { Database } from './schema.js';

/**
 * Keys and their answers. A reservation's life is read on the database's clock (`renewed_at`, `now()`), never the
 * callers': it is compared with the server's start, and the processes that renew it may not agree on the time.
 */
export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts the reservation, or replaces the key's row when its answer is older than `since`, or when it is a
   * reservation of the same fingerprint whose request died: not renewed for `leaseSeconds` (if given), or not since
   * the database server started (the embedded database starts with its one process; a server restart ends every
   * session). Two retries taking over at once: the second finds the row renewed by the first and is refused.
   */
  async reserve(
    scope: string,
    key: string,
    fingerprint: string,
    at: Date,
    since: Date,
    leaseSeconds?: number,
  ): Promise<boolean> {
    const { rows } = await sql<{ key: string }>`
      INSERT INTO idempotency_keys AS k (scope, key, fingerprint, status_code, body, created_at, renewed_at)
      VALUES (${scope}, ${key}, ${fingerprint}, NULL, NULL, ${at}, now())
      ON CONFLICT (scope, key) DO UPDATE
        SET fingerprint = excluded.fingerprint, status_code = NULL, body = NULL, created_at = excluded.created_at, renewed_at = now()
        WHERE k.created_at < ${since}
           OR (k.status_code IS NULL AND k.fingerprint = excluded.fingerprint
               AND (k.renewed_at < pg_postmaster_start_time() OR k.renewed_at < now() - make_interval(secs => ${leaseSeconds ?? null}::float8)))
      RETURNING key`.execute(this.db);
    return rows.length > 0;
  }

  async renew(scope: string, key: string): Promise<void> {
    await sql`UPDATE idempotency_keys SET renewed_at = now() WHERE scope = ${scope} AND key = ${key} AND status_code IS NULL`.execute(
      this.db,
    );
  }

  async find(scope: string, key: string) {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'status_code', 'body'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    const response: StoredResponse | null =
      row.status_code === null ? null : { statusCode: row.status_code, body: row.body ?? '' };
    return { fingerprint: row.fingerprint, response };
  }

  /** The first answer stays: when a stalled request's reservation was taken over by a retry, the one that answers first is replayed. */
  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status_code: response.statusCode, body: response.body })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('status_code', 'is', null)
      .execute();
  }

  /** Forgets a reservation, never an answer. */
  async release(scope: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('status_code', 'is', null)
      .execute();
  }
}
