import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../test/support/api.js';
import { createTestPlatform, makeAssetProvider, makeOperator, type TestPlatform } from '../../test/support/platform.js';
import { MAX_ACTIVE_TOKENS } from '../services/access.service.js';

/** Personal API tokens through the API: the caller's own only, shown once, revocable. */
describe('personal API tokens', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined });
  });
  afterAll(() => platform.close());

  it('creates a token shown once, which authenticates; lists it without the token; revokes it', async () => {
    const me = apiClient(platform, (await makeAssetProvider(platform)).token);
    const created = await me.post('/tokens', { label: '  billing system ' });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toMatchObject({
      label: 'billing system',
      revokedAt: null,
      token: expect.stringMatching(/^c2_/),
    });
    const mine = apiClient(platform, created.body.token);
    expect((await mine.get('/associations')).status).toBe(200);

    const listed = (await me.get('/tokens')).body.items;
    expect(listed[0]).toEqual({
      id: created.body.id,
      label: 'billing system',
      createdAt: created.body.createdAt,
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.body.token);
    expect(platform.logs.join('\n')).not.toContain(created.body.token);

    expect((await me.delete(`/tokens/${created.body.id}`)).status).toBe(204);
    expect((await mine.get('/associations')).status).toBe(401);
    expect((await me.get('/tokens')).body.items[0].revokedAt).not.toBeNull();
    expect((await me.delete(`/tokens/${created.body.id}`)).body.error.code).toBe('not_found');
  });

  it("never reaches another holder's tokens, and serves operators the same way", async () => {
    const alice = apiClient(platform, (await makeAssetProvider(platform)).token);
    const operator = apiClient(platform, (await makeOperator(platform)).token);
    const aliceToken = (await alice.post('/tokens', { label: 'laptop' })).body;
    expect((await operator.delete(`/tokens/${aliceToken.id}`)).status).toBe(404);
    expect((await operator.get('/tokens')).body.items.map((t: { id: string }) => t.id)).not.toContain(aliceToken.id);
    expect((await apiClient(platform, aliceToken.token).get('/associations')).status).toBe(200);
    const opToken = await operator.post('/tokens', { label: 'scripts' });
    expect(opToken.status).toBe(201);
    expect((await apiClient(platform, opToken.body.token).get('/operations')).status).toBe(200);
  });

  it('refuses a blank label by name, and more than the valid tokens allowed', async () => {
    const me = apiClient(platform, (await makeAssetProvider(platform)).token);
    const blank = await me.post('/tokens', { label: '   ' });
    expect([blank.status, blank.body.error.details[0].field]).toEqual([400, 'label']);
    for (let i = 1; i < MAX_ACTIVE_TOKENS; i++) expect((await me.post('/tokens', { label: `t${i}` })).status).toBe(201);
    const tooMany = await me.post('/tokens', { label: 'one more' });
    expect([tooMany.status, tooMany.body.error.code]).toEqual([409, 'conflict']);
    expect((await me.delete('/tokens/not-a-uuid')).status).toBe(404);
  });
});
