import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../test/support/api.js';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { makeDayFile } from '../../test/support/day-files.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeOperator,
  type TestPlatform,
} from '../../test/support/platform.js';
import type { Pod } from '../domain/identifiers.js';
import { dayWindow } from '../domain/kpi.js';

const DAY = '2026-03-01';

/** The collection's routes for operators: a day's status per concentrator and a meter's day file as collected. */
describe.each(backends())('collection routes on $name', (backend) => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let operator: ReturnType<typeof apiClient>;
  let pods: Pod[];
  const readAt = new Date('2026-03-02T00:20:07Z');

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target);
    await platform.storage.supplyPoints.insertConcentrators([
      { concentratorId: 'CN000001', substation: 'Cabina 1' },
      { concentratorId: 'CN000002', substation: 'Cabina 2' },
    ]);
    pods = (
      await addSupplyPoints(
        platform,
        { concentratorId: 'CN000001' },
        { concentratorId: 'CN000001' },
        { concentratorId: 'CN000001' },
        { concentratorId: 'CN000002' },
      )
    ).map((p) => p.pod as Pod);
    operator = apiClient(platform, (await makeOperator(platform)).token);
    // CN000001 read once: two files, one meter did not answer; CN000002 never read.
    await platform.storage.transaction((tx) =>
      tx.collection.storeRead(
        {
          concentratorId: 'CN000001',
          day: DAY,
          files: [makeDayFile(pods[0]!, 'CN000001', DAY, 120), makeDayFile(pods[1]!, 'CN000001', DAY)],
          missing: [{ pod: pods[2]!, reason: 'no_answer' }],
          linkSeconds: 41.5,
        },
        readAt,
        dayWindow(DAY),
      ),
    );
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    it('shows an operator the day per concentrator, worst first, with totals and ISO times', async () => {
      const response = await operator.get(`/telemanagement/collection?day=${DAY}`);
      expect(response.status).toBe(200);
      const read = {
        meters: 3,
        collected: 2,
        late: 0,
        missing: 1,
        lastAttemptAt: readAt.toISOString(),
        linkSeconds: 41.5,
      };
      const unread = { meters: 1, collected: 0, late: 0, missing: 1, lastAttemptAt: null, linkSeconds: 0 };
      expect(response.body).toEqual({
        day: DAY,
        concentrators: [
          { concentratorId: 'CN000001', ...read },
          { concentratorId: 'CN000002', ...unread },
        ],
        totals: {
          concentrators: 2,
          meters: 4,
          collected: 2,
          late: 0,
          missing: 2,
          lastAttemptAt: readAt.toISOString(),
          linkSeconds: 41.5,
        },
      });
    });

    it("gives a meter's day file as collected, and not_found for one that was not", async () => {
      const response = await operator.get(`/telemanagement/day-files/${pods[0]}/${DAY}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(makeDayFile(pods[0]!, 'CN000001', DAY, 120));
      const missing = await operator.get(`/telemanagement/day-files/${pods[2]}/${DAY}`);
      expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    });

    it('refuses anyone but an operator with forbidden', async () => {
      const representative = apiClient(platform, (await makeAssetProvider(platform)).token);
      for (const url of [`/telemanagement/collection?day=${DAY}`, `/telemanagement/day-files/${pods[0]}/${DAY}`]) {
        const response = await representative.get(url);
        expect([response.status, response.body.error.code]).toEqual([403, 'forbidden']);
      }
    });

    it('refuses a missing or impossible day with invalid_input naming the field', async () => {
      for (const url of ['/telemanagement/collection', '/telemanagement/collection?day=2026-02-30']) {
        const response = await operator.get(url);
        expect(response.status, url).toBe(400);
        expect(response.body.error).toMatchObject({
          code: 'invalid_input',
          details: [expect.objectContaining({ field: 'day' })],
        });
      }
      const file = await operator.get(`/telemanagement/day-files/${pods[0]}/tomorrow`);
      expect([file.status, file.body.error.code]).toEqual([400, 'invalid_input']);
    });

    it('is described in the OpenAPI document', async () => {
      const document = (await operator.get('/openapi.json')).body;
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/api/v1/telemanagement/collection', '/api/v1/telemanagement/day-files/{pod}/{day}']),
      );
    });
  });
});
