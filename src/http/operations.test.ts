import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../test/support/api.js';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  INSTANT_FIELD_NETWORK,
  makeAssetProvider,
  makeOperator,
  type TestPlatform,
} from '../../test/support/platform.js';
import { v7 as uuidv7 } from 'uuid';
import type { Pod } from '../domain/identifiers.js';
import { OperationService } from '../services/operation.service.js';

const ARERA = {
  weekday: [
    { fromMinute: 0, band: 3 },
    { fromMinute: 420, band: 2 },
    { fromMinute: 480, band: 1 },
    { fromMinute: 1140, band: 2 },
    { fromMinute: 1380, band: 3 },
  ],
  saturday: [
    { fromMinute: 0, band: 3 },
    { fromMinute: 420, band: 2 },
    { fromMinute: 1380, band: 3 },
  ],
  holiday: [{ fromMinute: 0, band: 3 }],
};

/** Remote operations by DSO operators, end to end: API → pg-boss job → field-network simulator → meter. */
describe.each(backends())('remote operations on $name', (backend) => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let operator: ReturnType<typeof apiClient>;

  async function meter(concentratorId: string | null = 'CN000001'): Promise<Pod> {
    return (await addSupplyPoints(platform, { concentratorId, contractPowerW: 3000 }))[0]!.pod as Pod;
  }
  async function run(body: Record<string, unknown>) {
    const submitted = await operator.post('/operations', body);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    expect(submitted.body.status).toBe('submitted');
    await platform.workflow.drain();
    return (await operator.get(`/operations/${submitted.body.id}`)).body;
  }

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target, INSTANT_FIELD_NETWORK);
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    operator = apiClient(platform, (await makeOperator(platform)).token);
    await platform.workflow.start();
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    it('disconnects and reconnects a meter, and the meter model follows', async () => {
      const pod = await meter();
      expect(await run({ pod, kind: 'disconnect' })).toMatchObject({
        pod,
        kind: 'disconnect',
        status: 'completed',
        reason: null,
        attempts: 1,
      });
      expect(platform.fieldNetwork!.meterState(pod)?.connected).toBe(false);
      const connected = await run({ pod, kind: 'connect' });
      expect(connected).toMatchObject({ status: 'completed' });
      expect(connected.completedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(platform.fieldNetwork!.meterState(pod)?.connected).toBe(true);
    });

    it('changes the available power, and reports a power the meter refuses as rejected_by_meter with its words', async () => {
      const pod = await meter();
      expect(await run({ pod, kind: 'set_available_power', availablePowerW: 4500 })).toMatchObject({
        status: 'completed',
        availablePowerW: 4500,
      });
      expect(platform.fieldNetwork!.meterState(pod)?.availablePowerW).toBe(4500);
      const refused = await run({ pod, kind: 'set_available_power', availablePowerW: 30_000 });
      expect(refused).toMatchObject({ status: 'failed', reason: 'rejected_by_meter' });
      expect(refused.detail).toMatch(/power/i);
      expect(platform.fieldNetwork!.meterState(pod)?.availablePowerW).toBe(4500);
    });

    it('reads the registers on demand', async () => {
      const read = await run({ pod: await meter(), kind: 'read_registers' });
      expect(read).toMatchObject({ status: 'completed', registers: { connected: true, availablePowerW: 3300 } });
      expect(read.registers.importEnergyByBandWh).toHaveLength(6);
    });

    it('sets a band calendar; a calendar off the quarter-hours is refused by the meter', async () => {
      const pod = await meter();
      expect(await run({ pod, kind: 'set_tariff_calendar', calendar: ARERA })).toMatchObject({
        status: 'completed',
        calendar: ARERA,
      });
      const offGrid = {
        ...ARERA,
        holiday: [
          { fromMinute: 0, band: 3 },
          { fromMinute: 7, band: 1 },
        ],
      };
      expect(await run({ pod, kind: 'set_tariff_calendar', calendar: offGrid })).toMatchObject({
        status: 'failed',
        reason: 'rejected_by_meter',
      });
    });

    it('fails with meter_unreachable when the meter never answers', async () => {
      const pod = await meter();
      platform.fieldNetwork!.registerMeters([
        { pod, meterSerial: '21E4E5KA101249263', concentratorId: 'CN000001', contractPowerW: 3000 },
      ]);
      platform.fieldNetwork!.setReachable(pod, false);
      expect(await run({ pod, kind: 'read_registers' })).toMatchObject({
        status: 'failed',
        reason: 'meter_unreachable',
        attempts: 4,
      });
    });

    it('retries a failed operation as a new one once the meter answers again, and refuses to retry one that did not fail', async () => {
      const pod = await meter();
      platform.fieldNetwork!.registerMeters([
        { pod, meterSerial: '21E4E5KA101249263', concentratorId: 'CN000001', contractPowerW: 3000 },
      ]);
      platform.fieldNetwork!.setReachable(pod, false);
      const failed = await run({ pod, kind: 'disconnect' });
      expect(failed).toMatchObject({ status: 'failed', reason: 'meter_unreachable' });
      platform.fieldNetwork!.setReachable(pod, true);
      const retry = await operator.post(`/operations/${failed.id}/retry`, {});
      expect(retry.status).toBe(202);
      expect(retry.body).toMatchObject({ pod, kind: 'disconnect', status: 'submitted' });
      expect(retry.body.id).not.toBe(failed.id);
      await platform.workflow.drain();
      expect((await operator.get(`/operations/${retry.body.id}`)).body.status).toBe('completed');
      expect(platform.fieldNetwork!.meterState(pod)?.connected).toBe(false);
      expect((await operator.get(`/operations/${failed.id}`)).body.status).toBe('failed'); // kept for the record
      const again = await operator.post(`/operations/${retry.body.id}/retry`, {});
      expect([again.status, again.body.error.code]).toEqual([409, 'conflict']);
    });

    it('shows operators the field network: totals, busiest concentrators, command counters', async () => {
      await run({ pod: await meter(), kind: 'read_registers' });
      const status = await operator.get('/telemanagement/status');
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        concentrators: 1,
        queuedCommands: 0,
        busiest: [{ concentratorId: 'CN000001', queueDepth: 0 }],
      });
      expect(status.body.meters).toBeGreaterThan(0);
      expect(status.body.commands.done).toBeGreaterThan(0);
      expect(status.body.commands.failedByReason.meter_unreachable).toBeGreaterThanOrEqual(0);
      const representative = apiClient(platform, (await makeAssetProvider(platform)).token);
      expect((await representative.get('/telemanagement/status')).status).toBe(403);
      // An API-only process without HEAD_END_URL does not see the workers' network: it says so.
      const blind = new OperationService({
        storage: platform.storage,
        clock: { now: () => new Date() },
        newId: uuidv7,
        workflow: { wake() {} },
        fieldNetwork: undefined,
      });
      await expect(blind.fieldNetworkStatus()).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining('HEAD_END_URL'),
      });
    });

    it('refuses bad input naming each field, an unknown POD with 404, a meter without concentrator with 422', async () => {
      const pod = await meter();
      const cases: [Record<string, unknown>, string][] = [
        [{ pod, kind: 'explode' }, 'kind'],
        [{ pod: 'IT001X', kind: 'connect' }, 'pod'],
        [{ pod, kind: 'set_available_power' }, 'availablePowerW'],
        [{ pod, kind: 'set_available_power', availablePowerW: -5 }, 'availablePowerW'],
        [
          { pod, kind: 'set_tariff_calendar', calendar: { ...ARERA, weekday: [{ fromMinute: 60, band: 1 }] } },
          'calendar.weekday',
        ],
      ];
      for (const [body, field] of cases) {
        const response = await operator.post('/operations', body);
        expect([response.status, response.body.error.code], JSON.stringify(body)).toEqual([400, 'invalid_input']);
        // Either the schema or the domain names the field; the domain's issues come as details.
        const named = [
          response.body.error.message,
          ...(response.body.error.details ?? []).map((d: { field: string }) => d.field),
        ].join(' ');
        expect(named).toContain(field);
      }
      expect((await operator.post('/operations', { pod: 'IT001E99999990', kind: 'connect' })).body.error.code).toBe(
        'not_found',
      );
      const untelemanaged = await operator.post('/operations', { pod: await meter(null), kind: 'connect' });
      expect([untelemanaged.status, untelemanaged.body.error.code]).toEqual([422, 'not_telemanaged']);
    });

    it('keeps operations and online services apart by role', async () => {
      const ap = await makeAssetProvider(platform);
      const representative = apiClient(platform, ap.token);
      const pod = await meter();
      const keyed = await representative.post(
        '/operations',
        { pod, kind: 'disconnect' },
        { 'idempotency-key': 'not-mine' },
      );
      for (const response of [
        keyed,
        await representative.get('/operations'),
        await representative.get('/telemanagement/status'),
      ]) {
        expect([response.status, response.body.error.code]).toEqual([403, 'forbidden']);
      }
      // Refused before the idempotency hook: nothing was stored under the key.
      expect(await platform.storage.idempotency.find(ap.assetProviderId, 'not-mine')).toBeUndefined();
      for (const response of [
        await operator.get('/associations'),
        await operator.get('/requests'),
        await operator.post('/bulk-uploads', 'pod;macAddress\n', { 'content-type': 'text/csv' }),
      ]) {
        expect([response.status, response.body.error.code]).toEqual([403, 'forbidden']);
      }
      // Eligibility is a fact about the supply point: customer care may check it too.
      expect((await operator.get(`/supply-points/${pod}/eligibility`)).status).toBe(200);
      expect((await operator.get(`/operations?pod=${pod}`)).body.items).toEqual([]); // nothing was accepted
    });

    it('lists operations newest first, by POD, and replays a retried POST with the same Idempotency-Key', async () => {
      const pod = await meter();
      const first = await operator.post('/operations', { pod, kind: 'disconnect' }, { 'idempotency-key': `op-${pod}` });
      const replay = await operator.post(
        '/operations',
        { pod, kind: 'disconnect' },
        { 'idempotency-key': `op-${pod}` },
      );
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      const second = await operator.post('/operations', { pod, kind: 'connect' });
      await platform.workflow.drain();
      const listed = await operator.get(`/operations?pod=${pod}`);
      expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([second.body.id, first.body.id]);
      expect((await operator.get(`/operations?pod=${pod}&status=failed`)).body.items).toEqual([]);
      expect((await operator.get('/operations/not-a-uuid')).status).toBe(404);
    });
  });
});
