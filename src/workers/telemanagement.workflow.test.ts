import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../test/support/api.js';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  INSTANT_FIELD_NETWORK,
  makeAssetProvider,
  makeDu,
  TEST_MASTER_KEY,
  type TestPlatform,
} from '../../test/support/platform.js';
import { AesGcmSecretBox } from '../security/secret-box.js';
import { TelemanagementWorkflow } from './telemanagement.workflow.js';
import type { Pod } from '../domain/identifiers.js';

/** End to end through the real workflow: API → pg-boss job → head-end (field-network simulator) → meter. */
describe.each(backends())('telemanagement workflow on $name', (backend) => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let token: string;

  async function settle(requestId: string): Promise<{ status: string; reason: string | null }> {
    let request = (await apiClient(platform, token).get(`/requests/${requestId}`)).body;
    for (let i = 0; i < 200 && request.closedAt === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      request = (await apiClient(platform, token).get(`/requests/${requestId}`)).body;
    }
    return request;
  }
  async function registeredPoint() {
    const [sp] = await addSupplyPoints(platform, { concentratorId: 'CN000001' });
    return sp!;
  }

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target, INSTANT_FIELD_NETWORK);
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    token = (await makeAssetProvider(platform)).token;
    await platform.workflow.start();
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    it("activates an association only once the meter holds the DU's MAC and key; a key change and a delete reach the meter", async () => {
      const sp = await registeredPoint();
      const du = makeDu({ encryptionKey: '0123456789ABCDEF0123456789ABCDEF' });
      const created = await apiClient(platform, token).post('/associations', { pod: sp.pod, du });
      expect(await settle(created.body.request.id)).toMatchObject({ status: 'completed', reason: null });
      expect((await apiClient(platform, token).get(`/associations/${created.body.association.id}`)).body.status).toBe(
        'active',
      );
      expect(platform.fieldNetwork!.meterState(sp.pod)).toMatchObject({
        hasChain2: true,
        macAddress: du.macAddress,
        keyLast4: 'CDEF',
      });
      expect(platform.fieldNetwork!.chain2KeyOf(sp.pod)).toBe('0123456789ABCDEF0123456789ABCDEF');

      const rotated = await apiClient(platform, token).patch(`/associations/${created.body.association.id}`, {
        du: { encryptionKey: 'FEDCBA9876543210FEDCBA9876543210' },
      });
      expect(await settle(rotated.body.request.id)).toMatchObject({ status: 'completed' });
      expect(platform.fieldNetwork!.meterState(sp.pod)).toMatchObject({ hasChain2: true, keyLast4: '3210' });

      const renamed = await apiClient(platform, token).patch(`/associations/${created.body.association.id}`, {
        du: { name: 'Only the name' },
      });
      const sentBefore = platform.fieldNetwork!.counters();
      expect(await settle(renamed.body.request.id)).toMatchObject({ status: 'completed' });
      expect(platform.fieldNetwork!.counters()).toEqual(sentBefore);

      const removed = await apiClient(platform, token).delete(`/associations/${created.body.association.id}`);
      expect(await settle(removed.body.request.id)).toMatchObject({ status: 'completed' });
      expect(platform.fieldNetwork!.meterState(sp.pod)).toMatchObject({ hasChain2: false });
      expect((await apiClient(platform, token).get(`/associations/${created.body.association.id}`)).body.status).toBe(
        'deleted',
      );
    });

    it('fails the request with meter_unreachable and rejects the association when the meter never answers', async () => {
      const sp = await registeredPoint();
      platform.fieldNetwork!.registerMeters([sp]);
      platform.fieldNetwork!.setReachable(sp.pod as Pod, false);
      const created = await apiClient(platform, token).post('/associations', { pod: sp.pod, du: makeDu() });
      expect(await settle(created.body.request.id)).toMatchObject({ status: 'failed', reason: 'meter_unreachable' });
      expect((await apiClient(platform, token).get(`/associations/${created.body.association.id}`)).body.status).toBe(
        'rejected',
      );
      expect((await apiClient(platform, token).get(`/supply-points/${sp.pod}/eligibility`)).body.eligible).toBe(true);
    });

    it('fails a supply point with no concentrator as unknown_meter instead of leaving it pending', async () => {
      const [sp] = await addSupplyPoints(platform, {});
      const created = await apiClient(platform, token).post('/associations', { pod: sp!.pod, du: makeDu() });
      expect(await settle(created.body.request.id)).toMatchObject({ status: 'failed', reason: 'unknown_meter' });
    });

    it("records every request's history through queued and taken_in_charge", async () => {
      const sp = await registeredPoint();
      const created = await apiClient(platform, token).post('/associations', { pod: sp.pod, du: makeDu() });
      await settle(created.body.request.id);
      const history = (await apiClient(platform, token).get(`/requests/${created.body.request.id}`)).body.history;
      expect(history.map((h: { status: string }) => h.status)).toEqual([
        'submitted',
        'queued',
        'taken_in_charge',
        'completed',
      ]);
    });
  });
});

describe('telemanagement workflow when programming a meter throws (a defect, not a field failure)', () => {
  it('retries the job and completes the request once the head-end answers, and fails it with workflow_error after the last attempt', async () => {
    const platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined });
    const attempts = new Map<string, number>();
    const flakyPods = new Set<string>();
    const workflow = new TelemanagementWorkflow({
      storage: platform.storage,
      requests: platform.services.requests,
      secretBox: new AesGcmSecretBox(Buffer.from(TEST_MASTER_KEY, 'hex')),
      logger: platform.app.log,
      pollMs: 50,
      concurrency: 5,
      jobTimeoutSeconds: 900,
      clock: { now: () => new Date() },
      jobRetry: { limit: 2, delaySeconds: 0 },
      headEnd: {
        async send(command) {
          const attempt = (attempts.get(command.pod) ?? 0) + 1;
          attempts.set(command.pod, attempt);
          if (flakyPods.has(command.pod) && attempt === 1) throw new Error('head-end connection reset');
          if (command.pod.endsWith('9')) throw new Error('head-end always down for this one');
          return { status: 'done', attempts: 1, completedAt: new Date() };
        },
      },
    });
    try {
      const ap = await makeAssetProvider(platform);
      const [flaky, broken] = await addSupplyPoints(
        platform,
        { pod: 'IT001E55555550' as Pod },
        { pod: 'IT001E55555559' as Pod },
      );
      flakyPods.add(flaky!.pod);
      const a = await platform.services.associations.create(ap, { pod: flaky!.pod, du: makeDu() });
      const b = await platform.services.associations.create(ap, { pod: broken!.pod, du: makeDu() });
      await workflow.start();
      await expect
        .poll(async () => (await platform.services.requests.get(ap, a.request.requestId)).status, { timeout: 60_000 })
        .toBe('completed');
      await expect
        .poll(async () => (await platform.services.requests.get(ap, b.request.requestId)).status, { timeout: 60_000 })
        .toBe('failed');
      expect((await platform.services.requests.get(ap, b.request.requestId)).reason).toBe('workflow_error');
      expect((await platform.services.associations.get(ap, b.association.associationId)).status).toBe('rejected');
      expect([attempts.get(flaky!.pod), attempts.get(broken!.pod)]).toEqual([2, 3]);
    } finally {
      await workflow.stop();
      await platform.close();
    }
  }, 120_000);
});
