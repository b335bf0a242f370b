import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { migrate, openDatabase, type OpenDatabase } from './database.js';
import { SqlIdempotencyStore } from './idempotency.store.js';

/** Reservations of Idempotency-Keys whose request died (issue #11): taken over by a retry, never while alive. */
describe.each(backends())('idempotency reservations on $name', (backend) => {
  let scratch: ScratchDatabase;
  let database: OpenDatabase;
  let store: SqlIdempotencyStore;
  let n = 0;
  const nextKey = () => `key-${++n}`;
  const at = new Date('2026-03-02T09:00:00Z');
  const since = new Date(at.getTime() - 24 * 3600_000);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    database = await openDatabase(scratch.target);
    await migrate(database.db);
    store = new SqlIdempotencyStore(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    it('lets a retry take over a reservation not renewed for a lease, and only one of two retries at once', async () => {
      const key = nextKey();
      expect(await store.reserve('s', key, 'f', at, since, 1)).toBe(true);
      expect(await store.reserve('s', key, 'f', at, since, 1)).toBe(false);
      await sleep(1_100);
      const retries = await Promise.all([
        store.reserve('s', key, 'f', at, since, 1),
        store.reserve('s', key, 'f', at, since, 1),
      ]);
      expect(retries.filter(Boolean)).toHaveLength(1);
    });

    it('keeps a renewed reservation from being taken over, and an answer from being renewed, replaced or forgotten', async () => {
      const key = nextKey();
      expect(await store.reserve('s', key, 'f', at, since, 1)).toBe(true);
      for (let i = 0; i < 4; i++) {
        await sleep(400);
        await store.renew('s', key);
        expect(await store.reserve('s', key, 'f', at, since, 1)).toBe(false);
      }
      await store.complete('s', key, { statusCode: 202, body: 'first' });
      await store.complete('s', key, { statusCode: 202, body: 'second' });
      await store.release('s', key);
      await sleep(1_100);
      expect(await store.reserve('s', key, 'f', at, since, 1)).toBe(false);
      expect(await store.find('s', key)).toEqual({ fingerprint: 'f', response: { statusCode: 202, body: 'first' } });
    });

    it('lets a retry take over at once a reservation last renewed before the database started, with the same body only', async () => {
      const key = nextKey();
      expect(await store.reserve('s', key, 'f', at, since, 3_600)).toBe(true);
      // As the embedded database's next process finds the reservation of the request its predecessor died in.
      await database.pool.query(
        "UPDATE idempotency_keys SET renewed_at = pg_postmaster_start_time() - interval '1 second' WHERE key = $1",
        [key],
      );
      expect(await store.reserve('s', key, 'another body', at, since, 3_600)).toBe(false);
      expect(await store.reserve('s', key, 'f', at, since, 3_600)).toBe(true);
      expect(await store.reserve('s', key, 'f', at, since, 3_600)).toBe(false);
    });
  });
});
