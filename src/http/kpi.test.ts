import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { apiClient } from '../../test/support/api.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  makeOperator,
  makeRetailer,
  manualClock,
  type TestPlatform,
} from '../../test/support/platform.js';
import type { Principal } from '../domain/caller.js';

/** Monitoring through the API: reports in, meter counts, the two versions of a day, figures out, each participant its own. */
describe.each(backends())('monitoring (KPIs) on $name', (backend) => {
  // Associations are made on the 8th; the tests move the clock on from there.
  const clock = manualClock(new Date('2026-03-08T11:00:00Z'));
  let platform: TestPlatform;
  let scratch: ScratchDatabase;
  /** A meter's frames sent, as collection stores them, on every day these tests compute (March 2026). */
  const sent = {
    async set(pod: string, n: number): Promise<void> {
      for (let d = 1; d <= 31; d++)
        await platform.storage.kpiCompute.upsertMeterCounts(
          `2026-03-${String(d).padStart(2, '0')}`,
          [{ pod, sent: n }],
          clock.now(),
        );
    },
  };
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
    /** An asset provider with active associations on `n` new supply points. */
    async function providerWith(
      n: number,
    ): Promise<{ ap: Principal & { token: string }; pods: string[]; associationIds: string[] }> {
      const ap = await makeAssetProvider(platform);
      const points = await addSupplyPoints(platform, ...Array.from({ length: n }, () => ({})));
      const api = apiClient(platform, ap.token);
      const associationIds: string[] = [];
      for (const [i, p] of points.entries()) {
        const created = await api.post('/associations', { pod: p.pod, du: makeDu() }, { 'idempotency-key': `k${i}` });
        expect(created.status).toBe(202);
        associationIds.push(created.body.association.id);
      }
      await platform.workflow.drain();
      return { ap, pods: points.map((p) => p.pod), associationIds };
    }

    it('computes received ÷ sent per supply point, with 0 sent, a missing report, a missing meter count and received > sent flagged', async () => {
      const { ap, pods } = await providerWith(7);
      const [full, low, zero, noReport, tooMany, uncounted, silent] = pods as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const api = apiClient(platform, ap.token);
      for (const [pod, n] of [
        [full, 125],
        [low, 100],
        [zero, 0],
        [noReport, 125],
        [tooMany, 100],
      ] as const)
        await sent.set(pod, n);
      const orphan = (await addSupplyPoints(platform))[0]!.pod; // no association, no report, but the meter counted
      await sent.set(orphan, 97);
      clock.advance(41 * 3_600_000); // 2026-03-10 05:00 in Rome: the 9th is over, its cut-off (06:00) not yet reached
      const reports = [
        { pod: full, day: '2026-03-09', received: 125 },
        { pod: low, day: '09/03/2026', receivedByType: { CF1: 90, CF5: 1, CF21: 4 } },
        { pod: zero, day: '2026-03-09', received: 0 },
        { pod: tooMany, day: '2026-03-09', received: 101 },
        { pod: uncounted, day: '2026-03-09', received: 50 }, // its meter's count never collected
      ];
      expect((await api.post('/kpi/reports', { reports })).body).toEqual({ accepted: 5, refused: [] });

      expect(await platform.services.kpi.runDue()).not.toContainEqual({ day: '2026-03-09', version: 1 });
      clock.advance(2 * 3_600_000); // 07:00 Rome: past the cut-off
      expect(await platform.services.kpi.runDue()).toContainEqual({ day: '2026-03-09', version: 1 });
      const byPod = (await api.get('/kpi/performance?from=2026-03-09&to=2026-03-09&groupBy=pod')).body;
      expect(byPod).toMatchObject({ version: 'latest', groupBy: 'pod', target: 0.99, cutoffHour: 6 });
      const row = (pod: string) => byPod.rows.find((r: { key: string }) => r.key === pod);
      expect(row(full)).toMatchObject({
        sent: 125,
        received: 125,
        performance: 1,
        flags: { missing_report: 0, below_target: 0, inconsistent: 0 },
      });
      expect(row(low)).toMatchObject({ sent: 100, received: 95, performance: 0.95, flags: { below_target: 1 } });
      expect(row(zero)).toMatchObject({
        sent: 0,
        received: 0,
        performance: null,
        flags: { below_target: 0, inconsistent: 0 },
      });
      expect(row(noReport)).toMatchObject({ sent: 0, received: 0, performance: null, flags: { missing_report: 1 } });
      expect(row(tooMany)).toMatchObject({ sent: 100, received: 101, flags: { inconsistent: 1, below_target: 0 } });
      expect(row(uncounted)).toMatchObject({
        sent: 0,
        received: 0,
        performance: null,
        flags: { missing_meter_count: 1, missing_report: 0 },
      });
      expect(row(silent)).toMatchObject({ flags: { missing_meter_count: 1, missing_report: 1 } }); // associated: neither count
      expect(row(orphan)).toBeUndefined(); // not the asset provider's

      const total = (await api.get('/kpi/performance?from=2026-03-09&to=2026-03-09&groupBy=assetProvider')).body.rows;
      // Over the supply-point days with both counts: (125 + 95 + 0 + 101) ÷ (125 + 100 + 0 + 100).
      expect(total).toEqual([
        expect.objectContaining({
          key: ap.assetProviderId,
          pods: 7,
          podDays: 7,
          sent: 325,
          received: 321,
          flags: { missing_report: 2, missing_meter_count: 2, inconsistent: 1, below_target: 1 },
        }),
      ]);
      expect(total[0].performance).toBeCloseTo(321 / 325, 10);

      const perDay = (await api.get('/kpi/performance?from=2026-03-09&to=2026-03-09&groupBy=dayAndAssetProvider')).body
        .rows;
      expect(perDay).toMatchObject([{ key: `2026-03-09|${ap.assetProviderId}`, sent: 325, received: 321 }]);

      const operator = apiClient(platform, (await makeOperator(platform)).token);
      const all = (await operator.get('/kpi/performance?from=2026-03-09&to=2026-03-09&groupBy=pod&limit=10000')).body
        .rows;
      // Counted, with no association: computed, but no DU was expected to hear it, so no report is missing.
      expect(all.find((r: { key: string }) => r.key === orphan)).toMatchObject({
        sent: 0,
        received: 0,
        flags: { missing_report: 0 },
      });

      const distribution = (await api.get('/kpi/distribution?from=2026-03-09&to=2026-03-09')).body.buckets;
      expect(distribution.find((b: { bucket: string }) => b.bucket === '99-100').podDays).toBe(1);
      expect(distribution.find((b: { bucket: string }) => b.bucket === '90-99').podDays).toBe(1);
      const worst = (await api.get('/kpi/pods?from=2026-03-09&to=2026-03-09')).body.items;
      expect(worst[0]).toMatchObject({ pod: zero === worst[0].pod ? zero : low });
      expect(worst.map((w: { pod: string }) => w.pod).slice(0, 2)).toEqual([low, full]);
      // As many below the target as asked for (the case where only those are read): they are the worst of all.
      expect((await api.get('/kpi/pods?from=2026-03-09&to=2026-03-09&limit=1')).body.items).toMatchObject([
        { pod: low, flags: ['below_target'] },
      ]);

      const csv = await platform.app.inject({
        method: 'GET',
        url: '/api/v1/kpi/performance.csv?from=2026-03-09&to=2026-03-09&groupBy=pod',
        headers: { authorization: `Bearer ${ap.token}` },
      });
      expect(csv.body).toContain(`${low};${low};1;1;100;95;0,9500;0;0;0;1`);
    });

    it('keeps both versions of a day: a late, corrected report changes the final one, not the provisional one', async () => {
      const { ap, pods } = await providerWith(1);
      const [pod] = pods as [string];
      const api = apiClient(platform, ap.token);
      const day = '2026-03-10';
      await sent.set(pod, 120);
      expect((await api.post('/kpi/reports', { reports: [{ pod, day, received: 100 }] })).body.accepted).toBe(1);
      clock.advance(24 * 3_600_000); // 2026-03-11 07:00: the 10th's provisional version is due (and the 9th's final)
      expect(await platform.services.kpi.runDue()).toEqual([
        { day: '2026-03-09', version: 2 },
        { day, version: 1 },
      ]);
      expect((await api.post('/kpi/reports', { reports: [{ pod, day, received: 119 }] })).body.accepted).toBe(1); // late frames counted
      clock.advance(24 * 3_600_000); // 2026-03-12 07:00: the final version
      expect(await platform.services.kpi.runDue()).toContainEqual({ day, version: 2 });
      const drill = (await api.get(`/kpi/pods/${pod}?from=${day}&to=${day}`)).body.items;
      expect(drill.map((d: { version: string; received: number }) => [d.version, d.received])).toEqual([
        ['final', 119],
        ['provisional', 100],
      ]);
      const provisional = (await api.get(`/kpi/performance?from=${day}&to=${day}&groupBy=pod&version=provisional`)).body
        .rows;
      expect(provisional[0]).toMatchObject({ received: 100, flags: { below_target: 1 } });
      const history = (await api.get(`/kpi/reports?pod=${pod}&day=${day}`)).body.items;
      expect(
        history.map((h: { version: number; received: number; supersededAt: string | null }) => [
          h.version,
          h.received,
          h.supersededAt === null,
        ]),
      ).toEqual([
        [2, 119, true],
        [1, 100, false],
      ]);
    });

    it("reads the figures by day and company and the distribution from the day's totals: they add up to the supply points' rows", async () => {
      const operator = apiClient(platform, (await makeOperator(platform)).token);
      const period = 'from=2026-03-09&to=2026-03-10';
      for (const version of ['provisional', 'final']) {
        const byPod = (await operator.get(`/kpi/performance?${period}&groupBy=pod&limit=10000&version=${version}`)).body
          .rows as { pods: number; podDays: number; sent: number; received: number; flags: Record<string, number> }[];
        const byDay = (await operator.get(`/kpi/performance?${period}&groupBy=day&version=${version}`)).body
          .rows as typeof byPod;
        expect(byDay).toHaveLength(2);
        const sum = (rows: typeof byPod, pick: (r: (typeof byPod)[number]) => number) =>
          rows.reduce((n, r) => n + pick(r), 0);
        expect(sum(byDay, (r) => r.podDays)).toBe(sum(byPod, (r) => r.podDays));
        expect(sum(byDay, (r) => r.sent)).toBe(sum(byPod, (r) => r.sent));
        expect(sum(byDay, (r) => r.received)).toBe(sum(byPod, (r) => r.received));
        for (const flag of ['missing_report', 'missing_meter_count', 'inconsistent', 'below_target']) {
          expect(sum(byDay, (r) => r.flags[flag]!)).toBe(sum(byPod, (r) => r.flags[flag]!));
        }
        for (const day of byDay) expect(day.pods).toBe(day.podDays); // one row per supply point and day
        const buckets = (await operator.get(`/kpi/distribution?${period}&version=${version}`)).body.buckets as {
          podDays: number;
        }[];
        const perPod = (await operator.get(`/kpi/pods?${period}&version=${version}&limit=1000`)).body.items as {
          sent: number | null;
          received: number | null;
        }[];
        expect(sum(buckets as typeof byPod, (b) => b.podDays)).toBe(
          perPod.filter((d) => d.sent! > 0 && d.received !== null && d.received <= d.sent!).length,
        );
      }
      // Over several days, a company's supply points are the most it had on one day; its supply-point days, every day's.
      const byCompany = (await operator.get(`/kpi/performance?${period}&groupBy=assetProvider`)).body.rows as {
        key: string;
        pods: number;
        podDays: number;
      }[];
      const byDayOfCompany = (await operator.get(`/kpi/performance?${period}&groupBy=dayAndAssetProvider`)).body
        .rows as typeof byCompany;
      for (const company of byCompany) {
        const days = byDayOfCompany.filter((r) => r.key.endsWith(`|${company.key}`));
        expect(company.pods).toBe(Math.max(...days.map((d) => d.pods)));
        expect(company.podDays).toBe(days.reduce((n, d) => n + d.podDays, 0));
      }
      expect(byCompany.some((company) => company.podDays > company.pods)).toBe(true); // one spans both days
    });

    it('takes several submissions of one participant at once, one after the other: each supersedes the one before', async () => {
      const { ap, pods } = await providerWith(1);
      const [pod] = pods as [string];
      const api = apiClient(platform, ap.token);
      const day = '2026-03-08';
      const answers = await Promise.all(
        [10, 11, 12, 13].map((received) => api.post('/kpi/reports', { reports: [{ pod, day, received }] })),
      );
      expect(answers.map((a) => [a.status, a.body.accepted])).toEqual([
        [200, 1],
        [200, 1],
        [200, 1],
        [200, 1],
      ]);
      const history = (await api.get(`/kpi/reports?pod=${pod}&day=${day}`)).body.items as {
        version: number;
        supersededAt: string | null;
      }[];
      expect(history.map((h) => [h.version, h.supersededAt === null])).toEqual([
        [4, true],
        [3, false],
        [2, false],
        [1, false],
      ]);
    });

    it('refuses each bad row with its reason and stores the others, all at once', async () => {
      const { ap, pods } = await providerWith(2);
      const otherPod = (await providerWith(1)).pods[0]!;
      const api = apiClient(platform, ap.token);
      const today = '2026-03-12';
      const result = await api.post('/kpi/reports', {
        reports: [
          { pod: pods[0], day: '2026-03-11', received: 10 },
          { pod: otherPod, day: '2026-03-11', received: 10 },
          { pod: pods[1], day: today + 'x', received: 10 },
          { pod: pods[1], day: '2026-03-20', received: 10 },
          { pod: pods[1], day: '2026-03-11', received: -3 },
          { pod: 'IT001E1', day: '2026-03-11', received: 1 },
          { pod: pods[0], day: '2026-03-11', received: 11 },
          { pod: pods[1], day: '2026-03-11', received: 5, receivedByType: { CF1: 4 } },
          { pod: pods[1], day: '2026-03-11', received: 2_000_000 },
          { pod: pods[1], day: '2026-03-11', receivedByType: { CF99: 1 } },
        ],
      });
      expect(result.body.accepted).toBe(1);
      expect(
        result.body.refused.map((r: { index: number; issues: { code: string }[] }) => [
          r.index,
          r.issues.map((i) => i.code),
        ]),
      ).toEqual([
        [1, ['not_your_supply_point']],
        [2, ['invalid_date']],
        [3, ['future_day']],
        [4, ['negative_count']],
        [5, ['invalid_pod']],
        [6, ['duplicate']],
        [7, ['total_mismatch']],
        [8, ['implausible_count']],
        [9, ['unknown_frame_type']],
      ]);
      const csv = `POD;GIORNO;RICEVUTI;CF1;CF5\n${pods[1]};11/03/2026;;95;1\n${otherPod};11/03/2026;3;;\n${pods[0]};2026-03-11;abc;;\n${pods[0]};2026-03-10;-1;;\n`;
      const upload = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/kpi/reports',
        payload: csv,
        headers: { authorization: `Bearer ${ap.token}`, 'content-type': 'text/csv' },
      });
      expect(upload.json().accepted).toBe(1);
      expect(
        upload.json().refused.map((r: { line: number; issues: { code: string }[] }) => [r.line, r.issues[0]!.code]),
      ).toEqual([
        [3, 'not_your_supply_point'],
        [4, 'invalid_count'],
        [5, 'negative_count'],
      ]);
      const badHeader = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/kpi/reports',
        payload: 'POD;DAY\nx;y\n',
        headers: { authorization: `Bearer ${ap.token}`, 'content-type': 'text/csv' },
      });
      expect([badHeader.statusCode, badHeader.json().error.code]).toEqual([400, 'invalid_file']);
      const history = (await api.get(`/kpi/reports?pod=${pods[1]}&day=2026-03-11`)).body.items;
      expect(history).toMatchObject([{ received: 96, receivedByType: { CF1: 95, CF5: 1 }, version: 1 }]);
    });

    it("lets a retailer report and see only the supply points it serves; never another retailer's", async () => {
      const [mine, theirs, uncounted] = await addSupplyPoints(platform, {}, {}, {});
      const retailer = await makeRetailer(platform, [mine!.pod, uncounted!.pod]);
      const other = await makeRetailer(platform, [theirs!.pod]);
      const api = apiClient(platform, retailer.token);
      await sent.set(mine!.pod, 50);
      await sent.set(theirs!.pod, 60);
      const result = await api.post('/kpi/reports', {
        reports: [
          { pod: mine!.pod, day: '2026-03-12', received: 50 },
          { pod: theirs!.pod, day: '2026-03-12', received: 60 },
          { pod: uncounted!.pod, day: '2026-03-12', received: 40 },
        ],
      }); // no association, and its meter's count never collected
      expect(result.body).toMatchObject({
        accepted: 2,
        refused: [
          {
            index: 1,
            issues: [{ code: 'not_your_supply_point', message: `${theirs!.pod} is not a supply point you serve` }],
          },
        ],
      });
      await apiClient(platform, other.token).post('/kpi/reports', {
        reports: [{ pod: theirs!.pod, day: '2026-03-12', received: 59 }],
      });
      clock.advance(24 * 3_600_000);
      await platform.services.kpi.runDue();
      const seen = (await api.get('/kpi/performance?from=2026-03-12&to=2026-03-12&groupBy=pod')).body.rows;
      expect(seen.map((r: { key: string }) => r.key)).toEqual([mine!.pod, uncounted!.pod].sort());
      // Reported, with no association: computed, but no count is expected of a meter no association programmed.
      expect(seen.find((r: { key: string }) => r.key === uncounted!.pod)).toMatchObject({
        sent: 0,
        received: 0,
        flags: { missing_meter_count: 0, missing_report: 0 },
      });
      expect(
        (await api.get('/kpi/performance?from=2026-03-12&to=2026-03-12&groupBy=retailer')).body.rows,
      ).toMatchObject([{ key: retailer.retailerId, sent: 50, received: 50, performance: 1 }]);
      expect((await api.get(`/kpi/pods/${theirs!.pod}?from=2026-03-12&to=2026-03-12`)).body.items).toEqual([]);
      expect((await api.get(`/kpi/reports?pod=${theirs!.pod}&day=2026-03-12`)).body.items).toEqual([]);
      expect((await api.get('/associations')).status).toBe(403);
      expect((await api.get('/asset-providers')).status).toBe(403);
    });

    it('expects a report and a meter count only on days the association was active throughout: partial and later days computed, never flagged missing', async () => {
      // 2026-03-13 07:00 in Rome (the clock as the tests before left it): four associations active from now.
      expect(clock.now().toISOString()).toBe('2026-03-13T06:00:00.000Z');
      const { ap, pods, associationIds } = await providerWith(4);
      const [whole, endsThatDay, endedBefore, modified] = pods as [string, string, string, string];
      const [partial, later] = (await addSupplyPoints(platform, {}, {})).map((p): string => p.pod) as [string, string];
      const retailer = await makeRetailer(platform, [...pods, partial, later]);
      const api = apiClient(platform, ap.token);
      const associate = async (pod: string) => {
        expect(
          (await api.post('/associations', { pod, du: makeDu() }, { 'idempotency-key': `late-${pod}` })).status,
        ).toBe(202);
        await platform.workflow.drain();
      };
      clock.advance(13 * 3_600_000); // the 13th, 20:00: one deleted before the 14th
      expect((await api.delete(`/associations/${associationIds[2]}`)).status).toBe(202);
      await platform.workflow.drain();
      clock.advance(16 * 3_600_000); // the 14th, 12:00: one deleted, one modified, one activated, all mid-day
      expect((await api.delete(`/associations/${associationIds[1]}`)).status).toBe(202);
      expect(
        (
          await api.patch(`/associations/${associationIds[3]}`, {
            du: { name: 'Hallway', encryptionKey: 'ffeeddccbbaa99887766554433221100' },
          })
        ).status,
      ).toBe(202);
      await platform.workflow.drain();
      await associate(partial);
      clock.advance(15 * 3_600_000); // the 15th, 03:00: one created after the 14th ended
      await associate(later);
      for (const [pod, n] of [
        [whole, 100],
        [endsThatDay, 50],
        [endedBefore, 0],
        [modified, 100],
        [partial, 40],
      ] as const)
        await sent.set(pod, n);
      const day = '2026-03-14';
      expect(
        (
          await api.post('/kpi/reports', {
            reports: [
              { pod: modified, day, received: 99 },
              { pod: partial, day, received: 38 },
            ],
          })
        ).body.accepted,
      ).toBe(2);
      clock.advance(4 * 3_600_000); // the 15th, 07:00: the 14th's cut-off passed
      expect(await platform.services.kpi.runDue()).toContainEqual({ day, version: 1 });

      const flags = (missingReport: number, missingMeterCount: number) => ({
        flags: expect.objectContaining({ missing_report: missingReport, missing_meter_count: missingMeterCount }),
      });
      const rowsOf = async (token: string, on: string) =>
        Object.fromEntries(
          (
            (await apiClient(platform, token).get(`/kpi/performance?from=${on}&to=${on}&groupBy=pod`)).body.rows as {
              key: string;
            }[]
          ).map((r) => [r.key, r]),
        );
      const theirs = await rowsOf(ap.token, day);
      expect(theirs).toEqual({
        [whole]: expect.objectContaining({ performance: null, ...flags(1, 0) }), // active all day, not reported
        [endsThatDay]: expect.objectContaining({ performance: null, ...flags(0, 0) }), // deleted that day: counted, not expected
        [modified]: expect.objectContaining({ sent: 100, received: 99, ...flags(0, 0) }), // modified mid-day: still expected, reported
        [partial]: expect.objectContaining({ sent: 40, received: 38, performance: 0.95, ...flags(0, 0) }), // activated mid-day: computed
      }); // deleted before the day: not theirs; created after it ended: not there at all
      const served = await rowsOf(retailer.token, day);
      expect(Object.keys(served).sort()).toEqual([whole, endsThatDay, endedBefore, modified, partial].sort());
      expect(served[endedBefore]).toMatchObject(flags(0, 0)); // deleted the day before: counted, not expected
      expect((await api.get(`/kpi/performance?from=${day}&to=${day}&groupBy=assetProvider`)).body.rows).toMatchObject([
        { key: ap.assetProviderId, pods: 4, flags: { missing_report: 1, missing_meter_count: 0 } },
      ]);

      // The next day, in the retailer's view: the deleted ones are still not expected; the one activated on the 14th
      // now is (and was not reported); the one activated on the 15th is not yet.
      await sent.set(later, 20);
      clock.advance(24 * 3_600_000);
      expect(await platform.services.kpi.runDue()).toContainEqual({ day: '2026-03-15', version: 1 });
      const next = await rowsOf(retailer.token, '2026-03-15');
      expect(next[endsThatDay]).toMatchObject(flags(0, 0));
      expect(next[endedBefore]).toMatchObject(flags(0, 0));
      expect(next[partial]).toMatchObject(flags(1, 0));
      expect(next[later]).toMatchObject(flags(0, 0));
    });

    it('refuses bad periods by name, and reports from the DSO', async () => {
      const operator = apiClient(platform, (await makeOperator(platform)).token);
      expect(
        (await operator.get('/kpi/performance?from=2026-03-10&to=2026-03-01')).body.error.details[0],
      ).toMatchObject({ field: 'from', code: 'invalid_range' });
      expect((await operator.get('/kpi/performance?version=best')).status).toBe(400);
      expect((await operator.post('/kpi/reports', { reports: [] })).status).toBe(403);
    });
  });
});

/** The top band starts at the target, and the band below ends there: their names follow KPI_TARGET. */
describe('the performance bands under a target of 95 % (KPI_TARGET)', () => {
  const [embedded] = backends();
  let platform: TestPlatform;
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await embedded!.create();
    platform = await createTestPlatform(
      scratch.target,
      { KPI_TARGET: '0.95' },
      { clock: manualClock(new Date('2026-03-10T07:00:00Z')) },
    );
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  it('names the bands …, 90-95, 95-100 and puts a day at 96 % in the top one, not below the target', async () => {
    const day = '2026-03-09';
    const pods = (await addSupplyPoints(platform, {}, {}, {})).map((p) => p.pod);
    const retailer = await makeRetailer(platform, pods);
    await platform.storage.kpiCompute.upsertMeterCounts(
      day,
      pods.map((pod) => ({ pod, sent: 100 })),
      new Date(),
    );
    const reports = [96, 95, 94].map((received, i) => ({ pod: pods[i], day, received }));
    expect((await apiClient(platform, retailer.token).post('/kpi/reports', { reports })).body).toEqual({
      accepted: 3,
      refused: [],
    });
    await platform.services.kpi.computeDay(day, 1);
    const operator = apiClient(platform, (await makeOperator(platform)).token);
    const buckets = (await operator.get(`/kpi/distribution?from=${day}&to=${day}`)).body.buckets as {
      bucket: string;
      podDays: number;
    }[];
    expect(buckets.map((b) => b.bucket)).toEqual([
      '0-10',
      '10-20',
      '20-30',
      '30-40',
      '40-50',
      '50-60',
      '60-70',
      '70-80',
      '80-90',
      '90-95',
      '95-100',
    ]);
    expect(buckets.slice(-2)).toEqual([
      { bucket: '90-95', podDays: 1 },
      { bucket: '95-100', podDays: 2 },
    ]);
    const performance = (await operator.get(`/kpi/performance?from=${day}&to=${day}&groupBy=pod`)).body;
    expect(performance.target).toBe(0.95);
    expect(
      Object.fromEntries(
        performance.rows.map((r: { key: string; flags: { below_target: number } }) => [r.key, r.flags.below_target]),
      ),
    ).toEqual({ [pods[0]!]: 0, [pods[1]!]: 0, [pods[2]!]: 1 });
  });
});
