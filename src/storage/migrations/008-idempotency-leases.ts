import { sql, type Kysely } from 'kysely';

/**
 * An Idempotency-Key reservation (a key whose request has no answer yet) is held by a request that shows it is alive:
 * `renewed_at` is its last sign of life, on the database's clock (idempotency.store.ts). A reservation not renewed for
 * a lease, or since before the database server started, belongs to a request that died with its process, and a retry
 * with the same key and body takes it over instead of being told "still being processed" for 24 hours.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // now() is evaluated once for the rows already there: PostgreSQL adds the column without rewriting the table.
  await sql`ALTER TABLE idempotency_keys ADD COLUMN renewed_at timestamptz NOT NULL DEFAULT now()`.execute(db);
}
