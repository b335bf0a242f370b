import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  makeOperator,
  manualClock,
  type TestPlatform,
} from '../../test/support/platform.js';
import { createHash } from 'node:crypto';
import {
  LOGIN_ATTEMPTS_PER_ADDRESS,
  LOGIN_WINDOW_MS,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  SESSION_TOUCH_MS,
} from '../services/session.service.js';

const PASSWORD = 'correct horse battery staple';

/** A browser's view of the API: a cookie jar of one, the CSRF token it was given. */
function browser(platform: TestPlatform) {
  let cookie: string | undefined;
  let csrf: string | undefined;
  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...(cookie ? { cookie } : {}), ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return {
      status: response.statusCode,
      body: response.body ? response.json() : undefined,
      headers: response.headers,
    };
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
    mutate: (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      call(method, url, body, { 'x-csrf-token': csrf ?? '' }),
    get csrf() {
      return csrf;
    },
  };
}

describe.each(backends())('portal sessions on $name', (backend) => {
  const clock = manualClock(new Date());
  let platform: TestPlatform;
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target, {}, { clock });
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    it('logs in with email and password into an HttpOnly, SameSite=Strict cookie that is not the password nor stored in clear', async () => {
      const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
      const me = browser(platform);
      const login = await me.login(rep.email.toUpperCase());
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({
        role: 'asset_provider',
        email: rep.email,
        fullName: 'Test Rep',
        assetProvider: { id: rep.assetProviderId, status: 'active' },
      });
      expect(login.headers['cache-control']).toBe('no-store');
      const cookie = String(login.setCookie);
      expect(cookie).toMatch(/^c2_session=[\w-]{43};/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/); // plain http here; PUBLIC_URL=https://… makes it Secure (below)
      const token = cookie.split(';')[0]!.split('=')[1]!;
      const stored = await platform.storage.sql.executeSql('SELECT session_hash FROM sessions WHERE email = $1', [
        rep.email,
      ]);
      expect(
        stored.rows.map((r) => Buffer.from((r as { session_hash: Uint8Array }).session_hash).toString('hex')),
      ).toEqual([createHash('sha256').update(token).digest('hex')]);
      const hashes = await platform.storage.sql.executeSql('SELECT password_hash FROM credentials WHERE email = $1', [
        rep.email,
      ]);
      expect((hashes.rows[0] as { password_hash: string }).password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(platform.logs.join('\n')).not.toContain(PASSWORD);
      expect(platform.logs.join('\n')).not.toContain(token);

      expect((await me.call('GET', '/associations')).status).toBe(200);
      expect((await me.call('GET', '/session')).body.user.email).toBe(rep.email);
    });

    it("refuses every mutation made with the cookie but without the session's CSRF token", async () => {
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

    it("writes a session's last use at most once a minute, however many calls a page makes", async () => {
      const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
      const me = browser(platform);
      await me.login(rep.email);
      const lastUse = async () =>
        (
          await platform.database.db
            .selectFrom('sessions')
            .select('last_seen_at')
            .where('email', '=', rep.email)
            .executeTakeFirstOrThrow()
        ).last_seen_at.getTime();
      const loggedInAt = await lastUse();
      clock.advance(SESSION_TOUCH_MS / 2);
      for (let i = 0; i < 3; i++) expect((await me.call('GET', '/associations')).status).toBe(200);
      expect(await lastUse()).toBe(loggedInAt);
      clock.advance(SESSION_TOUCH_MS);
      expect((await me.call('GET', '/associations')).status).toBe(200);
      expect(await lastUse()).toBe(clock.now().getTime());
    });

    it('removes ended sessions and login attempts no longer counted, and nothing still in use', async () => {
      const [kept, left] = [
        await makeAssetProvider(platform, undefined, { password: PASSWORD }),
        await makeAssetProvider(platform, undefined, { password: PASSWORD }),
      ];
      const [me, gone] = [browser(platform), browser(platform)];
      await me.login(kept.email);
      await gone.login(left.email);
      expect((await browser(platform).login(kept.email, 'a wrong guess')).status).toBe(401);
      const db = platform.database.db;
      const rows = async (table: 'sessions' | 'login_attempts', email: string) =>
        (table === 'sessions'
          ? await db.selectFrom('sessions').select('email').where('email', '=', email).execute()
          : await db.selectFrom('login_attempts').select('key').where('key', 'like', `%${email}%`).execute()
        ).length;
      expect(await rows('login_attempts', kept.email)).toBeGreaterThan(0);
      clock.advance(LOGIN_WINDOW_MS + 1); // the attempts' window is over; both sessions still live
      expect((await platform.services.sessions.purgeEnded()).attempts).toBeGreaterThanOrEqual(2); // per address, per email
      expect([
        await rows('login_attempts', kept.email),
        await rows('sessions', kept.email),
        await rows('sessions', left.email),
      ]).toEqual([0, 1, 1]);
      expect((await me.call('GET', '/associations')).status).toBe(200);
      clock.advance(SESSION_IDLE_MS - LOGIN_WINDOW_MS); // unused since login: past the idle limit; the other was used
      expect((await platform.services.sessions.purgeEnded()).sessions).toBeGreaterThanOrEqual(1);
      expect([await rows('sessions', kept.email), await rows('sessions', left.email)]).toEqual([1, 0]);
      expect((await me.call('GET', '/associations')).status).toBe(200);
      expect((await gone.call('GET', '/associations')).status).toBe(401);
    });

    it('answers a wrong password and an unknown email alike, then refuses that address for the rest of the window', async () => {
      const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
      const me = browser(platform);
      const wrong = await me.login(rep.email, 'not the password');
      const unknown = await me.login('nobody@nowhere.example', 'not the password');
      expect([wrong.status, wrong.body.error]).toEqual([
        401,
        { code: 'invalid_credentials', message: 'Wrong email or password' },
      ]);
      expect([unknown.status, unknown.body.error]).toEqual([401, wrong.body.error]);
      for (let i = 2; i <= LOGIN_ATTEMPTS_PER_ADDRESS; i++)
        expect((await me.login(rep.email, 'still wrong')).status).toBe(401);
      const locked = await me.login(rep.email, 'one too many');
      expect([locked.status, locked.body.error.code]).toEqual([429, 'too_many_attempts']);
      expect(Number(locked.headers['retry-after'])).toBe(LOGIN_WINDOW_MS / 1000);
      expect((await me.login(rep.email)).status).toBe(429); // even the right password, from this address, in this window
      const elsewhere = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: rep.email, password: PASSWORD },
        remoteAddress: '10.1.2.3',
      });
      expect(elsewhere.statusCode).toBe(200); // the user, from another address, is not locked out by someone else's guesses
      clock.advance(LOGIN_WINDOW_MS + 1);
      expect((await me.login(rep.email)).status).toBe(200);
    });

    it('counts guesses sent at once before checking any: a burst cannot slip past the limit', async () => {
      const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
      const me = browser(platform);
      const verify = platform.services.sessions['deps'].hasher.verify;
      let verified = 0;
      platform.services.sessions['deps'].hasher.verify = async (...args) => {
        verified++;
        return verify(...args);
      };
      try {
        const burst = await Promise.all([
          ...Array.from({ length: 20 }, () => me.login(rep.email, 'a guess')),
          me.login(rep.email),
        ]);
        expect(burst.filter((r) => r.status === 200)).toHaveLength(0);
        expect(verified).toBeLessThanOrEqual(LOGIN_ATTEMPTS_PER_ADDRESS);
      } finally {
        platform.services.sessions['deps'].hasher.verify = verify;
      }
    });

    it('ends a session 8 hours after login even while used', async () => {
      const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
      const me = browser(platform);
      await me.login(rep.email);
      for (let used = 0; used < SESSION_MAX_MS - SESSION_IDLE_MS; used += SESSION_IDLE_MS / 2) {
        clock.advance(SESSION_IDLE_MS / 2);
        expect((await me.call('GET', '/session')).status).toBe(200);
      }
      clock.advance(SESSION_IDLE_MS);
      expect((await me.call('GET', '/session')).status).toBe(401);
    });

    it('refuses every mutation route reached with the cookie but no CSRF token, before doing anything', async () => {
      const rep = await makeAssetProvider(platform, undefined, { password: PASSWORD });
      const operator = await makeOperator(platform, { password: PASSWORD });
      const [asRep, asOperator] = [browser(platform), browser(platform)];
      await asRep.login(rep.email);
      await asOperator.login(operator.email);
      // Every mutation the API documents (OpenAPI), except logging in and activating, which need no session.
      const paths = (platform.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
      const mutations = Object.entries(paths)
        .flatMap(([url, methods]) => Object.keys(methods).map((method) => ({ url, method: method.toUpperCase() })))
        .filter(
          (r) =>
            ['POST', 'PATCH', 'PUT', 'DELETE'].includes(r.method) &&
            !['/api/v1/session', '/api/v1/activation'].includes(r.url),
        );
      expect(mutations.length).toBeGreaterThan(15);
      for (const route of mutations) {
        const url = route.url.replace('/api/v1', '').replace(/\{[a-zA-Z]+\}/g, '00000000-0000-7000-8000-000000000000');
        for (const who of [asRep, asOperator]) {
          const refused = await who.call(route.method as 'POST', url, {});
          expect([route.method, route.url, refused.status, refused.body?.error.code]).toEqual([
            route.method,
            route.url,
            403,
            'csrf_failed',
          ]);
        }
      }
    });

    it("never lets a representative reach another asset provider's data by changing an id", async () => {
      const [alice, bob] = [
        await makeAssetProvider(platform, undefined, { password: PASSWORD }),
        await makeAssetProvider(platform, undefined, { password: PASSWORD }),
      ];
      const [point] = await addSupplyPoints(platform);
      const aliceApi = browser(platform);
      await aliceApi.login(alice.email);
      const created = await aliceApi.call(
        'POST',
        '/associations',
        { pod: point!.pod, du: makeDu() },
        { 'x-csrf-token': aliceApi.csrf!, 'idempotency-key': 'a1' },
      );
      expect(created.status).toBe(202);
      const { association, request } = created.body;
      const bobApi = browser(platform);
      await bobApi.login(bob.email);
      for (const url of [`/associations/${association.id}`, `/requests/${request.id}`]) {
        expect((await bobApi.call('GET', url)).status).toBe(404);
      }
      expect(
        (
          await bobApi.call(
            'PATCH',
            `/associations/${association.id}`,
            { du: { name: 'Mine now' } },
            { 'x-csrf-token': bobApi.csrf!, 'idempotency-key': 'b1' },
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await bobApi.call('DELETE', `/associations/${association.id}`, undefined, {
            'x-csrf-token': bobApi.csrf!,
            'idempotency-key': 'b2',
          })
        ).status,
      ).toBe(404);
      expect((await bobApi.call('GET', `/associations?pod=${point!.pod}`)).body.items).toEqual([]);
      const csv = await platform.app.inject({
        method: 'GET',
        url: '/api/v1/requests.csv',
        headers: { cookie: await loginCookie(platform, bob.email) },
      });
      expect(csv.body).not.toContain(point!.pod);
      // The operator's routes stay closed to a representative's session, and the reverse.
      expect((await bobApi.call('GET', '/dso/requests')).status).toBe(403);
      const operator = await makeOperator(platform, { password: PASSWORD });
      const op = browser(platform);
      expect((await op.login(operator.email)).body.user).toMatchObject({ role: 'dso_operator', assetProvider: null });
      expect((await op.call('GET', '/associations')).status).toBe(403);
      const found = await op.call('GET', `/dso/requests?pod=${point!.pod}`);
      expect(found.body.items).toMatchObject([
        { id: request.id, assetProvider: { id: alice.assetProviderId }, macAddress: association.du.macAddress },
      ]);
    });

    it('never stores a response that carries a secret for an Idempotency-Key replay', async () => {
      const rep = await makeAssetProvider(platform);
      const response = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { label: 'x' },
        headers: { authorization: `Bearer ${rep.token}`, 'idempotency-key': 'k1' },
      });
      expect([response.statusCode, response.json().error.details[0].field]).toEqual([400, 'Idempotency-Key']);
      const stored = await platform.storage.sql.executeSql(
        'SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1',
        ['k1'],
      );
      expect(stored.rows).toEqual([{ n: 0 }]);
    });

    it('makes the cookie Secure and __Host- when the portal is served over https (PUBLIC_URL), with HSTS', async () => {
      const secure = await createTestPlatform(
        { kind: 'embedded', dataDir: undefined },
        { PUBLIC_URL: 'https://chain2.example.it' },
      );
      try {
        const rep = await makeAssetProvider(secure, undefined, { password: PASSWORD });
        const login = await browser(secure).login(rep.email);
        expect(String(login.setCookie)).toMatch(/^__Host-c2_session=[\w-]+;.*; Secure/);
        expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
      } finally {
        await secure.close();
      }
    });
  });
});

async function loginCookie(platform: TestPlatform, email: string): Promise<string> {
  const response = await platform.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password: PASSWORD },
  });
  return String(response.headers['set-cookie']).split(';')[0]!;
}
