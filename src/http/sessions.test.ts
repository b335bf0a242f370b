import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSupplyPoints, createTestPlatform, makeAssetProvider, makeDu, makeOperator, manualClock, type TestPlatform } from '../../test/support/platform.js';
import { LOGIN_FAILURE_LIMIT, LOGIN_LOCK_MS, SESSION_IDLE_MS } from '../services/session.service.js';

const PASSWORD = 'correct horse battery staple';

/** A browser's view of the API: a cookie jar of one, the CSRF token it was given. */
function browser(platform: TestPlatform) {
  let cookie: string | undefined;
  let csrf: string | undefined;
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await platform.app.inject({
      method, url: `/api/v1${url}`,
      headers: { ...(cookie ? { cookie } : {}), ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: response.statusCode, body: response.body ? response.json() : undefined, headers: response.headers };
  };
  return {
    call,
    async login(email: string, password = PASSWORD) {
      const response = await call('POST', '/session', { email, password });
      const setCookie = response.headers['set-cookie'];
      if (response.status === 200) {
        cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0];
        csrf = response.body.csrfToken;
      }
      return { ...response, setCookie };
    },
    /** A mutation as the portal sends it: cookie and X-CSRF-Token. */
    mutate: (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => call(method, url, body, { 'x-csrf-token': csrf ?? '' }),
    get csrf() { return csrf; },
  };
}

describe('portal sessions', () => {
  const clock = manualClock(new Date());
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined }, {}, { clock });
  });
  afterAll(() => platform.close());

  it('logs in with email and password into an HttpOnly, SameSite=Strict cookie that is not the password nor stored in clear', async () => {
    const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
    const me = browser(platform);
    const login = await me.login(rep.email.toUpperCase());
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ role: 'asset_provider', email: rep.email, fullName: 'Test Rep', assetProvider: { id: rep.assetProviderId, status: 'active' } });
    expect(login.headers['cache-control']).toBe('no-store');
    const cookie = String(login.setCookie);
    expect(cookie).toMatch(/^c2_session=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // plain http here; PUBLIC_URL=https://… makes it Secure (below)
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const stored = await platform.storage.sql.executeSql('SELECT session_hash, email FROM sessions', []);
    expect(JSON.stringify(stored.rows)).not.toContain(token);
    const hashes = await platform.storage.sql.executeSql('SELECT password_hash FROM credentials WHERE email = $1', [rep.email]);
    expect((hashes.rows[0] as { password_hash: string }).password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(platform.logs.join('\n')).not.toContain(PASSWORD);
    expect(platform.logs.join('\n')).not.toContain(token);

    expect((await me.call('GET', '/associations')).status).toBe(200);
    expect((await me.call('GET', '/session')).body.user.email).toBe(rep.email);
  });

  it('refuses every mutation made with the cookie but without the session\'s CSRF token', async () => {
    const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
    const me = browser(platform);
    await me.login(rep.email);
    const label = { label: 'from the portal' };
    const none = await me.call('POST', '/tokens', label);
    expect([none.status, none.body.error.code]).toEqual([403, 'csrf_failed']);
    const wrong = await me.call('POST', '/tokens', label, { 'x-csrf-token': 'A'.repeat(43) });
    expect(wrong.status).toBe(403);
    const other = browser(platform);
    await other.login((await makeAssetProvider(platform, undefined, { password: PASSWORD })).email);
    expect((await me.call('POST', '/tokens', label, { 'x-csrf-token': other.csrf! })).status).toBe(403);
    expect((await me.call('DELETE', '/session')).status).toBe(403);
    expect((await me.call('GET', '/tokens')).body.items.map((t: { label: string }) => t.label)).toEqual(['test']);
    expect((await me.mutate('POST', '/tokens', label)).status).toBe(201);
  });

  it('refuses a mutation with no session at all, and an ended session', async () => {
    const anonymous = browser(platform);
    const none = await anonymous.call('POST', '/associations', {}, { 'idempotency-key': 'x' });
    expect([none.status, none.body.error.code]).toEqual([401, 'unauthenticated']);
    const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
    const me = browser(platform);
    await me.login(rep.email);
    expect((await me.mutate('DELETE', '/session')).status).toBe(204);
    const after = await me.mutate('POST', '/tokens', { label: 'x' });
    expect([after.status, after.body.error.message]).toEqual([401, 'Your session has ended: log in again']);
    expect((await me.call('GET', '/session')).status).toBe(401);
  });

  it('ends a session after 30 minutes unused, not while it is used', async () => {
    const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
    const me = browser(platform);
    await me.login(rep.email);
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await me.call('GET', '/associations')).status).toBe(200);
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await me.call('GET', '/associations')).status).toBe(200);
    clock.advance(SESSION_IDLE_MS + 1);
    expect((await me.call('GET', '/associations')).status).toBe(401);
  });

  it('answers a wrong password and an unknown email alike, then locks the email after repeated failures', async () => {
    const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
    const me = browser(platform);
    const wrong = await me.login(rep.email, 'not the password');
    const unknown = await me.login('nobody@nowhere.example', 'not the password');
    expect([wrong.status, wrong.body.error]).toEqual([401, { code: 'invalid_credentials', message: 'Wrong email or password' }]);
    expect([unknown.status, unknown.body.error]).toEqual([401, wrong.body.error]);
    for (let i = 2; i < LOGIN_FAILURE_LIMIT; i++) expect((await me.login(rep.email, 'still wrong')).status).toBe(401);
    const locked = await me.login(rep.email, 'fifth wrong');
    expect([locked.status, locked.body.error.code]).toEqual([429, 'too_many_attempts']);
    expect(Number(locked.headers['retry-after'])).toBe(LOGIN_LOCK_MS / 1000);
    expect((await me.login(rep.email)).status).toBe(429); // even the right password, while locked
    clock.advance(LOGIN_LOCK_MS + 1);
    expect((await me.login(rep.email)).status).toBe(200);
    expect((await me.login(rep.email, 'wrong again')).status).toBe(401); // the count started over
  });

  it('never lets a representative reach another asset provider\'s data by changing an id', async () => {
    const [alice, bob] = [await makeAssetProvider(platform, undefined, { password: PASSWORD }), await makeAssetProvider(platform, undefined, { password: PASSWORD })];
    const [point] = await addSupplyPoints(platform);
    const aliceApi = browser(platform);
    await aliceApi.login(alice.email);
    const created = await aliceApi.call('POST', '/associations', { pod: point!.pod, du: makeDu() }, { 'x-csrf-token': aliceApi.csrf!, 'idempotency-key': 'a1' });
    expect(created.status).toBe(202);
    const { association, request } = created.body;
    const bobApi = browser(platform);
    await bobApi.login(bob.email);
    for (const url of [`/associations/${association.id}`, `/requests/${request.id}`]) {
      expect((await bobApi.call('GET', url)).status).toBe(404);
    }
    expect((await bobApi.call('PATCH', `/associations/${association.id}`, { du: { name: 'Mine now' } }, { 'x-csrf-token': bobApi.csrf!, 'idempotency-key': 'b1' })).status).toBe(404);
    expect((await bobApi.call('DELETE', `/associations/${association.id}`, undefined, { 'x-csrf-token': bobApi.csrf!, 'idempotency-key': 'b2' })).status).toBe(404);
    expect((await bobApi.call('GET', `/associations?pod=${point!.pod}`)).body.items).toEqual([]);
    const csv = await platform.app.inject({ method: 'GET', url: '/api/v1/requests.csv', headers: { cookie: (await loginCookie(platform, bob.email)) } });
    expect(csv.body).not.toContain(point!.pod);
    // The operator's routes stay closed to a representative's session, and the reverse.
    expect((await bobApi.call('GET', '/dso/requests')).status).toBe(403);
    const operator = await makeOperator(platform, { password: PASSWORD });
    const op = browser(platform);
    expect((await op.login(operator.email)).body.user).toMatchObject({ role: 'dso_operator', assetProvider: null });
    expect((await op.call('GET', '/associations')).status).toBe(403);
    const found = await op.call('GET', `/dso/requests?pod=${point!.pod}`);
    expect(found.body.items).toMatchObject([{ id: request.id, assetProvider: { id: alice.assetProviderId }, macAddress: association.du.macAddress }]);
  });

  it('makes the cookie Secure when the portal is served over https (PUBLIC_URL)', async () => {
    const secure = await createTestPlatform({ kind: 'embedded', dataDir: undefined }, { PUBLIC_URL: 'https://chain2.example.it' });
    try {
      const rep = await makeAssetProvider(secure, undefined, { password: PASSWORD });
      expect(String((await browser(secure).login(rep.email)).setCookie)).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });
});

async function loginCookie(platform: TestPlatform, email: string): Promise<string> {
  const response = await platform.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password: PASSWORD } });
  return String(response.headers['set-cookie']).split(';')[0]!;
}
