import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { migrate, openDatabase, type OpenDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import { AccessService, hashToken, TOKEN_CACHE_MS } from './access.service.js';
import type { Storage } from './ports/index.js';

describe('AccessService', () => {
  let open: OpenDatabase;
  let storage: Storage;
  let now = new Date('2026-05-04T09:00:00Z');
  const clock = { now: () => now };
  const representativeId = uuidv7();
  const assetProviderId = uuidv7();

  beforeAll(async () => {
    open = await openDatabase({ kind: 'embedded', dataDir: undefined });
    await migrate(open.db);
    storage = sqlStorage(open);
    await storage.participants.insertAssetProvider(
      { assetProviderId, name: 'AP', vatNumber: 'V', status: 'active' },
      now,
    );
    await storage.participants.insertRepresentative(
      { representativeId, assetProviderId, email: 'r@ap.example', fullName: 'R' },
      now,
    );
  });
  afterAll(() => open.close());

  it('issues a token that authenticates its representative and stores only its hash', async () => {
    const access = new AccessService(storage.tokens, clock, uuidv7);
    const token = await access.issueToken({ representativeId }, 'laptop');
    expect(token).toMatch(/^c2_[A-Za-z0-9_-]{43}$/);
    expect(await access.authenticate(token)).toEqual({
      role: 'asset_provider',
      representativeId,
      assetProviderId,
      assetProviderStatus: 'active',
    });
    const stored = await open.pool.query('SELECT token_hash FROM api_tokens');
    expect(stored.rows.map((r) => Buffer.from(r.token_hash).toString('hex'))).toContain(
      Buffer.from(hashToken(token)).toString('hex'),
    );
    expect(JSON.stringify(stored.rows)).not.toContain(token.slice(3));
  });

  it('refuses malformed, unknown and oversized tokens without asking the database', async () => {
    const access = new AccessService(storage.tokens, clock, uuidv7);
    for (const token of [undefined, '', 'Bearer x', 'c2_unknown', `c2_${'a'.repeat(200)}`]) {
      expect(await access.authenticate(token)).toBeUndefined();
    }
  });

  it('forgets a revoked token at once in this process, and in another process within the cache time', async () => {
    const here = new AccessService(storage.tokens, clock, uuidv7);
    const elsewhere = new AccessService(storage.tokens, clock, uuidv7);
    const token = await here.issueToken({ representativeId }, 'phone');
    expect(await here.authenticate(token)).toBeDefined();
    expect(await elsewhere.authenticate(token)).toBeDefined();
    await here.revokeTokens({ representativeId }, 'phone');
    expect(await here.authenticate(token)).toBeUndefined();
    expect(await elsewhere.authenticate(token)).toBeDefined();
    now = new Date(now.getTime() + TOKEN_CACHE_MS + 1);
    expect(await elsewhere.authenticate(token)).toBeUndefined();
  });
});
