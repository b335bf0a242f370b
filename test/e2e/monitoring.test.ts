import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, romeDay } from '../../src/domain/kpi.js';
import { startChain2Field, type Chain2Field } from '../../sim/demo-field/chain2-field.js';
import { startMonitoring } from '../../src/main/monitoring.js';
import { apiClient } from '../support/api.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  makeOperator,
  type TestPlatform,
} from '../support/platform.js';

/**
 * Issue 6's loop as the demo runs it, over a few simulated days: simulated meters count the frames they send, emulated
 * DUs count what reaches them over a lossy power line, the simulated asset provider reports each night, the scheduled
 * job collects the meters' counts and computes each day at its cut-off — and the figures come out near 99 %.
 */
describe('monitoring end to end over simulated days', () => {
  let platform: TestPlatform;
  let field: Chain2Field;
  let monitoring: { stop(): Promise<void> };

  beforeAll(async () => {
    // Four simulated hours per wall second: a day every 6 s.
    platform = await createTestPlatform(
      { kind: 'embedded', dataDir: undefined },
      {
        REQUEST_WORKFLOW: 'telemanagement',
        SIMULATOR_TIME_SCALE: '14400',
        SIMULATOR_LOSS_RATE: '0',
        SIMULATOR_UNREACHABLE_RATE: '0',
        // Perfect meters: a seeded late answer or outage is not what this test is about (it would miss a count).
        SIMULATOR_FIELD_FAULTS: 'off',
      },
    );
    await platform.workflow.start();
    // The meters' counts reach the KPI only through the daily collection, as in every deployment.
    await platform.collection.start();
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    field = await startChain2Field(platform, { host: '127.0.0.1', duPort: 0, lossRate: 0.01, seed: 7, stepMs: 20 });
    monitoring = startMonitoring(platform, 100);
  });
  afterAll(async () => {
    await monitoring?.stop();
    await field?.close();
    await platform?.close();
  });

  it('fills the figures day after day: each day computed at its cut-off from reports and meter counts, then again a day later', async () => {
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    const points = await addSupplyPoints(
      platform,
      ...Array.from({ length: 6 }, () => ({ concentratorId: 'CN000001' })),
    );
    const ap = await makeAssetProvider(platform);
    const api = apiClient(platform, ap.token);
    for (const [i, p] of points.entries())
      expect(
        (await api.post('/associations', { pod: p.pod, du: makeDu() }, { 'idempotency-key': `m${i}` })).status,
      ).toBe(202);

    // Expected days start with the first whole day the associations are active on the meters' clock (isExpectedDay):
    // the day after the last meter was programmed, whatever its simulated hour. The days before, and the days the
    // meters were programmed (partial), are computed too but not checked here.
    const deadline = Date.now() + 60_000;
    const until = async (what: string, done: () => Promise<boolean> | boolean) => {
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await until('the six meters programmed', () => field.installedAt().length === 6);
    const lastProgrammed = new Date(Math.max(...field.installedAt().map((d) => d.at.getTime())));
    const first = addDays(romeDay(lastProgrammed), 1);
    const finals = [first, addDays(first, 1)];
    const computedFinals = async () =>
      (await platform.storage.kpiCompute.runs(first, finals[1]!)).filter((r) => r.version === 2).map((r) => r.day);
    await until(`the final versions of ${finals.join(' and ')}`, async () => (await computedFinals()).length === 2);
    expect(field.reporter.reportedDays()).toEqual(expect.arrayContaining(finals));

    const operator = apiClient(platform, (await makeOperator(platform)).token);
    const [from, to] = finals as [string, string];
    const byDay = (await operator.get(`/kpi/performance?from=${from}&to=${to}&groupBy=day&version=final`)).body.rows;
    expect(byDay.map((r: { key: string }) => r.key)).toEqual(finals);
    for (const day of byDay) {
      // Every supply point counted on both sides: the DUs received what the line did not lose (1 %).
      expect(
        day.flags.missing_report + day.flags.missing_meter_count + day.flags.inconsistent,
        `${JSON.stringify(byDay)} reported ${field.reporter.reportedDays()}`,
      ).toBe(0);
      expect(day.pods).toBe(6);
      expect(day.received).toBeLessThanOrEqual(day.sent);
      expect(day.performance).toBeGreaterThan(0.95);
      expect(day.sent / 6).toBeGreaterThan(96); // a whole day: ≈ 96 CF1 + events + CF5 per meter
    }
    const mine = (await api.get(`/kpi/performance?from=${from}&to=${to}&groupBy=assetProvider`)).body.rows;
    expect(mine).toMatchObject([{ key: ap.assetProviderId, pods: 6 }]);
  }, 90_000);
});
