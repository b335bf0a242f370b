import type { Kysely } from 'kysely';
import type { IdempotencyStore, StoredResponse } from '../services/ports/index.js';
import type { Database } from './schema.js';

export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async reserve(scope: string, key: string, fingerprint: string, at: Date, since: Date): Promise<boolean> {
    const row = await this.db.insertInto('idempotency_keys')
      .values({ scope, key, fingerprint, status_code: null, body: null, created_at: at })
      .onConflict((oc) => oc.columns(['scope', 'key'])
        .doUpdateSet({ fingerprint, status_code: null, body: null, created_at: at })
        .where('idempotency_keys.created_at', '<', since))
      .returning('key').executeTakeFirst();
    return row !== undefined;
  }

  async find(scope: string, key: string) {
    const row = await this.db.selectFrom('idempotency_keys').select(['fingerprint', 'status_code', 'body'])
      .where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    const response: StoredResponse | null = row.status_code === null ? null : { statusCode: row.status_code, body: row.body ?? '' };
    return { fingerprint: row.fingerprint, response };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.db.updateTable('idempotency_keys').set({ status_code: response.statusCode, body: response.body })
      .where('scope', '=', scope).where('key', '=', key).execute();
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
  }
}
