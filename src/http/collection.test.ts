import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { scryptHasher } from '../security/password.js';
import { AccessService } from '../services/access.service.js';
import type { CollectionStatusReader } from '../services/ports/index.js';
import { SessionService } from '../services/session.service.js';
import { migrate, openDatabase, type OpenDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import { buildApp, type AppServices, type FastifyTypeBox } from './app.js';

/** Services these routes never reach: any use fails the test loudly. */
const unused = (name: string) =>
  new Proxy(
    {},
    {
      get: (_t, property) => {
        throw new Error(`${name}.${String(property)} used`);
      },
    },
  ) as never;

/** GET /telemanagement/collection: operators only, the day checked, dates as ISO strings. */
describe.each(backends())('collection status route on $name', (backend) => {
  let scratch: ScratchDatabase;
  let open: OpenDatabase;
  let app: FastifyTypeBox;
  const tokens: Record<'operator' | 'retailer', string> = { operator: '', retailer: '' };
  const lastAttemptAt = new Date('2026-03-02T01:00:07Z');
  const collection: CollectionStatusReader = {
    async status(day) {
      if (day !== '2026-03-01') throw new Error(`unexpected day ${day}`);
      const row = { meters: 100, collected: 97, late: 2, missing: 3, lastAttemptAt, linkSeconds: 41.5 };
      return { day, concentrators: [{ concentratorId: 'CN000001', ...row }], totals: { concentrators: 1, ...row } };
    },
  };

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    open = await openDatabase(scratch.target);
    await migrate(open.db);
    const storage = sqlStorage(open);
    const clock = { now: () => new Date() };
    const access = new AccessService(storage.tokens, clock, uuidv7);
    const sessions = new SessionService({ storage, hasher: scryptHasher(), clock, newId: uuidv7 });
    const names = [
      'eligibility',
      'associations',
      'requests',
      'idempotency',
      'bulkUploads',
      'operations',
      'onboarding',
      'kpi',
    ];
    const services = {
      ...Object.fromEntries(names.map((n) => [n, unused(n)])),
      access,
      sessions,
      collection,
    } as AppServices;
    app = await buildApp(services, { logger: false, bulkMaxBytes: 1 << 20, kpiMaxBytes: 1 << 20 });
    const operatorId = uuidv7();
    await storage.participants.insertOperator(
      { operatorId, email: `${operatorId}@dso.test`, fullName: 'Op' },
      new Date(),
    );
    tokens.operator = await access.issueToken({ operatorId }, 'test');
    const [retailerId, retailerUserId] = [uuidv7(), uuidv7()];
    await storage.participants.insertRetailer({ retailerId, name: retailerId, vatNumber: retailerId }, new Date());
    await storage.participants.insertRetailerUser(
      { retailerUserId, retailerId, email: `${retailerUserId}@r.test`, fullName: 'R' },
      new Date(),
    );
    tokens.retailer = await access.issueToken({ retailerUserId }, 'test');
  });
  afterAll(async () => {
    await app?.close();
    await open?.close();
    await scratch?.drop();
  });

  const get = (who: keyof typeof tokens, query: string) =>
    app.inject({
      url: `/api/v1/telemanagement/collection${query}`,
      headers: { authorization: `Bearer ${tokens[who]}` },
    });

  describe.skipIf(!backend.available)('', () => {
    it("answers an operator with the day's concentrators and totals, times as ISO strings", async () => {
      const response = await get('operator', '?day=2026-03-01');
      expect(response.statusCode).toBe(200);
      const row = {
        meters: 100,
        collected: 97,
        late: 2,
        missing: 3,
        lastAttemptAt: '2026-03-02T01:00:07.000Z',
        linkSeconds: 41.5,
      };
      expect(response.json()).toEqual({
        day: '2026-03-01',
        concentrators: [{ concentratorId: 'CN000001', ...row }],
        totals: { concentrators: 1, ...row },
      });
    });

    it('refuses anyone but an operator with forbidden', async () => {
      const response = await get('retailer', '?day=2026-03-01');
      expect([response.statusCode, response.json().error.code]).toEqual([403, 'forbidden']);
    });

    it('refuses a missing day with invalid_input naming the field', async () => {
      const response = await get('operator', '');
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'invalid_input',
        details: [expect.objectContaining({ field: 'day' })],
      });
    });

    it('is described in the OpenAPI document', async () => {
      const document = (await app.inject({ url: '/api/v1/openapi.json' })).json();
      expect(Object.keys(document.paths)).toContain('/api/v1/telemanagement/collection');
    });
  });
});
