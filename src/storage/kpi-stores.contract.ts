import { expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { makeSupplyPoint, nextMac } from '../../test/support/platform.js';
import { Chain2Channel } from '../domain/association.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import {
  classifyPodDay,
  dayWindow,
  isExpectedDay,
  kpiRules,
  KpiVersion,
  wasActiveDuring,
  type AssociationActivity,
  type KpiParticipant,
  type KpiReport,
  type KpiRules,
  type PodDayCounts,
} from '../domain/kpi.js';
import type { KpiQuery, PodRange, Storage } from '../services/ports/index.js';

/**
 * The monitoring's stores in the storage contract (storage.contract.ts, both databases): reports in, a day computed
 * piece by piece as KpiService.computeDay puts the pieces together, figures out. Each case has days of its own, and
 * associations active around those days only (the figures of a day span every supply point in scope that day); ranges
 * computed at once, cut at the statistics, are PostgreSQL's (kpi-compute.store.test.ts).
 */
export function kpiStoresContract(context: () => { storage: Storage; assetProviderId: string }) {
  const at = new Date('2026-04-01T10:00:00Z');
  const EVERY_POD: PodRange = { from: null, to: null };
  const storage = () => context().storage;

  async function supplyPoints(n: number): Promise<Pod[]> {
    const rows = Array.from({ length: n }, () => makeSupplyPoint());
    await storage().supplyPoints.importMany(rows);
    return rows.map((r) => r.pod);
  }

  async function retailerServing(pods: readonly string[]): Promise<string> {
    const retailerId = uuidv7();
    await storage().participants.insertRetailer(
      { retailerId, name: `Retailer ${retailerId}`, vatNumber: `R-${retailerId}` },
      at,
    );
    await storage().participants.assignRetailers(pods.map((pod) => ({ pod, retailerId })));
    return retailerId;
  }

  /** Associations of the contract's asset provider, active over `activity` on the meters' clock (or rejected). */
  async function associate(pods: readonly Pod[], activity: AssociationActivity): Promise<void> {
    const associations = pods.map((pod) => ({
      associationId: uuidv7(),
      assetProviderId: context().assetProviderId,
      pod,
      channel: Chain2Channel.plcBandC,
      du: { name: 'DU', macAddress: nextMac() as MacAddress, hardwareVersion: 'h', softwareVersion: 's' },
      sealedKey: new Uint8Array([1]),
      keyLast4: 'ABCD',
      at,
    }));
    await storage().associations.insertMany(associations);
    const move = (status: 'active' | 'rejected' | 'deleted', when: Date) =>
      storage().associations.setStatusMany(
        associations.map((a) => ({ associationId: a.associationId, status })),
        when,
      );
    if (activity.activeFrom === null) return move('rejected', at);
    await move('active', activity.activeFrom);
    if (activity.activeUntil !== null) await move('deleted', activity.activeUntil);
  }

  const report = (participant: KpiParticipant, reports: readonly KpiReport[], when = at) =>
    storage().transaction((tx) => tx.kpiReports.insertReports(participant, reports, when));

  /** A version of a day, as the service computes it on the embedded database: under the day's lock, in one transaction. */
  const compute = (day: string, version: KpiVersion, rules: KpiRules, ranges: readonly PodRange[] = [EVERY_POD]) =>
    storage().transaction(async (run) => {
      await run.kpiCompute.lockDay(day, version);
      await run.kpiCompute.refreshStatistics();
      await run.kpiCompute.clear(day, version);
      for (const range of ranges) await run.kpiCompute.computeRange(day, version, dayWindow(day), rules, range);
      return run.kpiCompute.recordRun(day, version, dayWindow(day).end);
    });

  const everything = (day: string, version: KpiQuery['version'] = 'latest'): KpiQuery => ({
    from: day,
    to: day,
    version,
    scope: { all: true },
  });
  const podDay = (day: string, pod: string, version: KpiQuery['version'] = 'latest') =>
    storage().kpiFigures.podDays({ ...everything(day, version), pod, order: 'day', limit: 10 });

  it("stores a participant's reports of its own supply points, refuses the others, and keeps each superseded one in the history", async () => {
    const day = '2026-01-05';
    const [a, b, c] = (await supplyPoints(3)) as [Pod, Pod, Pod];
    const retailer: KpiParticipant = { kind: 'retailer', id: await retailerServing([a, b]) };
    await associate([c], { activeFrom: null, activeUntil: null });
    expect(
      await report(retailer, [
        { pod: a, day, received: 50, receivedByType: null },
        { pod: c, day, received: 70, receivedByType: null },
        { pod: b, day, received: 60, receivedByType: null },
      ]),
    ).toEqual(new Set([1]));
    const later = new Date(at.getTime() + 60_000);
    expect(await report(retailer, [{ pod: a, day, received: 55, receivedByType: { CF1: 50, CF5: 5 } }], later)).toEqual(
      new Set(),
    );
    expect(await storage().kpiReports.reportHistory(a, day)).toEqual([
      {
        participant: retailer,
        pod: a,
        day,
        version: 2,
        received: 55,
        receivedByType: { CF1: 50, CF5: 5 },
        reportedAt: later,
        supersededAt: null,
      },
      {
        participant: retailer,
        pod: a,
        day,
        version: 1,
        received: 50,
        receivedByType: null,
        reportedAt: at,
        supersededAt: later,
      },
    ]);
    expect(await storage().kpiReports.reportHistory(a, day, [retailer.id])).toHaveLength(2);
    expect(await storage().kpiReports.reportHistory(a, day, [uuidv7()])).toEqual([]);
    expect(await storage().kpiReports.reportHistory(a, day, [])).toEqual([]);
    // An asset provider's right is its associations (a rejected one gives none).
    const assetProvider: KpiParticipant = { kind: 'asset_provider', id: context().assetProviderId };
    const [d] = (await supplyPoints(1)) as [Pod];
    await associate([d], {
      activeFrom: new Date('2026-01-04T12:00:00Z'),
      activeUntil: new Date('2026-01-06T12:00:00Z'),
    });
    expect(
      await report(assetProvider, [
        { pod: c, day, received: 1, receivedByType: null },
        { pod: d, day, received: 2, receivedByType: null },
      ]),
    ).toEqual(new Set([0]));
    expect((await storage().kpiReports.reportHistory(d, day)).map((r) => [r.participant, r.received])).toEqual([
      [assetProvider, 2],
    ]);
  });

  it("collects meters' counts (a day's count of a supply point replaced) and computes a version under the day's lock, replaced when computed again", async () => {
    const day = '2026-01-20';
    const rules = kpiRules(0.99);
    const [a, b] = (await supplyPoints(2)) as [Pod, Pod];
    expect(await storage().kpiCompute.hasMeterCounts(day)).toBe(false);
    await storage().kpiCompute.upsertMeterCounts(
      day,
      [
        { pod: a, sent: 90 },
        { pod: b, sent: 100 },
      ],
      at,
    );
    await storage().kpiCompute.upsertMeterCounts(day, [{ pod: a, sent: 100 }], at);
    expect(await storage().kpiCompute.hasMeterCounts(day)).toBe(true);
    await report({ kind: 'retailer', id: await retailerServing([a, b]) }, [
      { pod: a, day, received: 100, receivedByType: null },
    ]);
    expect(await compute(day, KpiVersion.provisional, rules)).toBe(2);
    expect(await compute(day, KpiVersion.provisional, rules)).toBe(2);
    expect(await storage().kpiCompute.runs(day, day)).toEqual([
      { day, version: KpiVersion.provisional, computedAt: dayWindow(day).end, pods: 2 },
    ]);
    expect(
      (await storage().kpiFigures.aggregate(everything(day), 'day', 10)).map((r) => [
        r.key,
        r.podDays,
        r.sent,
        r.received,
      ]),
    ).toEqual([[day, 2, 100, 100]]);
    expect(await podDay(day, a)).toMatchObject([{ sent: 100, received: 100, flags: [] }]);
    expect(await podDay(day, b)).toMatchObject([{ sent: 100, received: null, flags: [] }]);
    // A version nobody computed is not read; a cleared one is gone until computed again.
    expect(await podDay(day, a, KpiVersion.final)).toEqual([]);
    await storage().transaction((tx) => tx.kpiCompute.clear(day, KpiVersion.provisional));
    expect(await storage().kpiCompute.runs(day, day)).toEqual([]);
    expect(await podDay(day, a)).toEqual([]);
  });

  it('computes ranges of supply points that cover them all into the same day as one range', async () => {
    const [one, ranged] = ['2026-01-21', '2026-01-22'];
    const rules = kpiRules(0.99);
    const pods = (await supplyPoints(6)).sort();
    await associate(pods.slice(0, 2), {
      activeFrom: new Date('2026-01-20T12:00:00Z'),
      activeUntil: new Date('2026-01-23T12:00:00Z'),
    });
    const retailer: KpiParticipant = { kind: 'retailer', id: await retailerServing(pods.slice(1)) };
    for (const day of [one, ranged]) {
      await storage().kpiCompute.upsertMeterCounts(
        day,
        pods.slice(1, 5).map((pod, i) => ({ pod, sent: 100 + i })),
        at,
      );
      await report(
        retailer,
        pods.slice(2).map((pod, i) => ({ pod, day, received: 95 + 2 * i, receivedByType: null })),
      );
    }
    const cuts: [string, string] = [pods[2]!, pods[4]!];
    expect(await compute(one, KpiVersion.provisional, rules)).toBe(6);
    expect(
      await compute(ranged, KpiVersion.provisional, rules, [
        { from: null, to: cuts[0] },
        { from: cuts[0], to: cuts[1] },
        { from: cuts[1], to: null },
      ]),
    ).toBe(6);
    const rowsOf = async (day: string) =>
      (await storage().kpiFigures.aggregate(everything(day), 'pod', 100)).map(({ key, label: _, ...row }) => [
        key,
        row,
      ]);
    expect(await rowsOf(ranged)).toEqual(await rowsOf(one));
    const totalsOf = (day: string) => storage().kpiFigures.aggregate(everything(day), 'retailer', 100);
    expect(await totalsOf(ranged)).toEqual(await totalsOf(one));
    expect(await storage().kpiFigures.distribution(everything(ranged))).toEqual(
      await storage().kpiFigures.distribution(everything(one)),
    );
    // Ranges to compute at once cover every supply point, each once (one range when the statistics cannot cut).
    await storage().kpiCompute.refreshStatistics();
    const ranges = await storage().kpiCompute.podRanges(3);
    expect(ranges[0]!.from).toBeNull();
    expect(ranges.at(-1)!.to).toBeNull();
    for (const [i, range] of ranges.entries()) if (i > 0) expect(range.from).toBe(ranges[i - 1]!.to);
  });

  /** The SQL expects the days the domain's rule expects (isExpectedDay), and gives them to whom it says (wasActiveDuring). */
  it("expects a supply-point day, and gives it to an asset provider, as the domain's rules say", async () => {
    const day = '2026-03-10';
    const window = dayWindow(day);
    const when = (iso: string) => new Date(iso);
    // Rome: the 10th is [2026-03-09T23:00Z, 2026-03-10T23:00Z).
    const activities: [string, AssociationActivity][] = [
      ['active all day', { activeFrom: when('2026-03-08T10:00:00Z'), activeUntil: null }],
      ['programmed at the first instant', { activeFrom: window.start, activeUntil: null }],
      ['activated mid-day', { activeFrom: when('2026-03-10T11:00:00Z'), activeUntil: null }],
      ['deleted that day', { activeFrom: when('2026-03-01T10:00:00Z'), activeUntil: when('2026-03-10T11:00:00Z') }],
      [
        'deleted at the first instant of the next day',
        { activeFrom: when('2026-03-01T10:00:00Z'), activeUntil: window.end },
      ],
      [
        'deleted at the first instant of the day',
        { activeFrom: when('2026-03-01T10:00:00Z'), activeUntil: window.start },
      ],
      [
        'deleted before the day',
        { activeFrom: when('2026-03-01T10:00:00Z'), activeUntil: when('2026-03-09T12:00:00Z') },
      ],
      [
        'activated and deleted within the day',
        { activeFrom: when('2026-03-10T01:00:00Z'), activeUntil: when('2026-03-10T20:00:00Z') },
      ],
      ['activated after the day ended', { activeFrom: when('2026-03-11T08:00:00Z'), activeUntil: null }],
      ['never activated (rejected)', { activeFrom: null, activeUntil: null }],
    ];
    // Two supply points per case: one with nothing reported or counted, one with a meter count.
    const pods = await supplyPoints(2 * activities.length);
    for (const [i, [, activity]] of activities.entries()) await associate(pods.slice(2 * i, 2 * i + 2), activity);
    await storage().kpiCompute.upsertMeterCounts(
      day,
      activities.map((_, i) => ({ pod: pods[2 * i + 1]!, sent: 100 })),
      at,
    );
    await compute(day, KpiVersion.provisional, kpiRules(0.99));
    for (const [i, [name, activity]] of activities.entries()) {
      const expected = isExpectedDay(activity, window);
      // With nothing reported or counted, only an expected day is there at all, with both counts missing.
      expect(
        (await podDay(day, pods[2 * i]!)).map((r) => r.flags),
        name,
      ).toEqual(expected ? [['missing_report', 'missing_meter_count']] : []);
      // A meter count brings any day in; whose it is and whether a report is missing follow the rule.
      expect(await podDay(day, pods[2 * i + 1]!), name).toMatchObject([
        {
          sent: 100,
          received: null,
          flags: expected ? ['missing_report'] : [],
          assetProviderId: wasActiveDuring(activity, window) ? context().assetProviderId : null,
        },
      ]);
    }
  });

  it("flags and bands each supply-point day as the domain's rules table does, the top band from the target", async () => {
    const day = '2026-02-10';
    const cases: PodDayCounts[] = [
      { sent: null, received: null, expected: true },
      { sent: 100, received: null, expected: true },
      { sent: null, received: 80, expected: true },
      { sent: 100, received: null, expected: false },
      { sent: null, received: 80, expected: false },
      { sent: 0, received: 0, expected: false },
      { sent: 0, received: 3, expected: false },
      { sent: 100, received: 101, expected: true },
      { sent: 100, received: 100, expected: true },
      { sent: 100, received: 99, expected: true },
      { sent: 1000, received: 989, expected: false },
      { sent: 100, received: 96, expected: true },
      { sent: 100, received: 95, expected: false },
      { sent: 100, received: 94, expected: false },
      { sent: 100, received: 90, expected: false },
      { sent: 100, received: 89, expected: false },
      { sent: 10, received: 7, expected: false },
      { sent: 100, received: 9, expected: false },
      { sent: 100, received: 0, expected: false },
    ];
    const pods = await supplyPoints(cases.length);
    await associate(
      pods.filter((_, i) => cases[i]!.expected),
      { activeFrom: new Date('2026-02-01T00:00:00Z'), activeUntil: new Date('2026-02-20T00:00:00Z') },
    );
    // A retailer per supply point: the band of each is its retailer's distribution.
    const retailers = [];
    for (const [i, pod] of pods.entries()) {
      const retailerId = await retailerServing([pod]);
      retailers.push(retailerId);
      const { received } = cases[i]!;
      if (received !== null)
        await report({ kind: 'retailer', id: retailerId }, [{ pod, day, received, receivedByType: null }]);
    }
    await storage().kpiCompute.upsertMeterCounts(
      day,
      cases.flatMap((c, i) => (c.sent === null ? [] : [{ pod: pods[i]!, sent: c.sent }])),
      at,
    );
    // The same day under two targets, as two versions.
    const targets = new Map([
      [KpiVersion.provisional, kpiRules(0.99)],
      [KpiVersion.final, kpiRules(0.95)],
    ]);
    for (const [version, rules] of targets) await compute(day, version, rules);
    for (const [version, rules] of targets) {
      for (const [i, counts] of cases.entries()) {
        const query: KpiQuery = { from: day, to: day, version, scope: { retailerId: retailers[i]! } };
        const [row] = await storage().kpiFigures.podDays({ ...query, order: 'day', limit: 10 });
        const bands = (await storage().kpiFigures.distribution(query)).map((b) => b.bucket);
        expect(
          { flags: row!.flags, bucket: bands[0] ?? null },
          `${JSON.stringify(counts)} under ${rules.target}`,
        ).toEqual(classifyPodDay(rules, counts));
      }
    }
  });

  it("reads a computed day by day, company and supply point, the worst first, within the caller's scope and version", async () => {
    const [first, second] = ['2026-01-10', '2026-01-11'];
    const rules = kpiRules(0.99);
    const pods = await supplyPoints(4);
    const [r1, r2] = [await retailerServing(pods.slice(0, 3)), await retailerServing(pods.slice(3))];
    for (const day of [first, second]) {
      await storage().kpiCompute.upsertMeterCounts(
        day,
        pods.map((pod) => ({ pod, sent: 100 })),
        at,
      );
      await report({ kind: 'retailer', id: r1 }, [
        { pod: pods[0]!, day, received: 100, receivedByType: null },
        { pod: pods[1]!, day, received: 50, receivedByType: null },
        { pod: pods[2]!, day, received: 97, receivedByType: null },
      ]);
      await report({ kind: 'retailer', id: r2 }, [{ pod: pods[3]!, day, received: 120, receivedByType: null }]);
      await compute(day, KpiVersion.provisional, rules);
    }
    // A final version of the first day, one supply point's report corrected meanwhile.
    await report({ kind: 'retailer', id: r1 }, [{ pod: pods[1]!, day: first, received: 99, receivedByType: null }]);
    await compute(first, KpiVersion.final, rules);
    const period: KpiQuery = { from: first, to: second, version: 'latest', scope: { all: true } };

    const byDay = await storage().kpiFigures.aggregate(period, 'day', 10);
    expect(byDay.map((r) => [r.key, r.pods, r.podDays, r.sent, r.received, r.flags])).toEqual([
      [first, 4, 4, 400, 416, { missing_report: 0, missing_meter_count: 0, inconsistent: 1, below_target: 1 }],
      [second, 4, 4, 400, 367, { missing_report: 0, missing_meter_count: 0, inconsistent: 1, below_target: 2 }],
    ]);
    const provisional = await storage().kpiFigures.aggregate({ ...period, version: KpiVersion.provisional }, 'day', 10);
    expect(provisional.map((r) => r.received)).toEqual([367, 367]);
    const byRetailer = await storage().kpiFigures.aggregate(period, 'retailer', 10);
    expect(byRetailer.map((r) => [r.key, r.label, r.pods, r.podDays])).toEqual(
      [
        [r1, `Retailer ${r1}`, 3, 6],
        [r2, `Retailer ${r2}`, 1, 2],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect((await storage().kpiFigures.aggregate(period, 'dayAndRetailer', 10)).map((r) => r.key)).toEqual([
      `${first}|${[r1, r2].sort()[0]}`,
      `${first}|${[r1, r2].sort()[1]}`,
      `${second}|${[r1, r2].sort()[0]}`,
      `${second}|${[r1, r2].sort()[1]}`,
    ]);
    const byPod = await storage().kpiFigures.aggregate({ ...period, scope: { retailerId: r1 } }, 'pod', 10);
    expect(byPod.map((r) => [r.key, r.podDays, r.received, r.performance])).toEqual(
      [
        [pods[0], 2, 200, 1],
        [pods[1], 2, 149, 0.745],
        [pods[2], 2, 194, 0.97],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(await storage().kpiFigures.distribution({ ...period, scope: { retailerId: r1 } })).toEqual([
      { bucket: 5, podDays: 1 },
      { bucket: 9, podDays: 2 },
      { bucket: 10, podDays: 3 },
    ]);
    // The worst first (below the target), those without a ratio last; a retailer sees its own only.
    const worst = await storage().kpiFigures.podDays({ ...period, order: 'worst', limit: 10 });
    expect(worst.map((d) => [d.day, d.pod, d.received])).toEqual([
      [second, pods[1], 50],
      [second, pods[2], 97],
      [first, pods[2], 97],
      [first, pods[1], 99],
      [second, pods[0], 100],
      [first, pods[0], 100],
      [second, pods[3], 120],
      [first, pods[3], 120],
    ]);
    expect((await storage().kpiFigures.podDays({ ...period, order: 'worst', limit: 2 })).map((d) => d.pod)).toEqual([
      pods[1],
      pods[2],
    ]);
    expect(
      (await storage().kpiFigures.podDays({ ...period, scope: { retailerId: r2 }, order: 'worst', limit: 10 })).map(
        (d) => d.pod,
      ),
    ).toEqual([pods[3], pods[3]]);
    // One supply point's days: every version computed, newest first.
    expect(
      (await storage().kpiFigures.podDays({ ...period, pod: pods[1]!, order: 'day', limit: 10 })).map((d) => [
        d.day,
        d.version,
        d.received,
      ]),
    ).toEqual([
      [second, 1, 50],
      [first, 2, 99],
      [first, 1, 50],
    ]);
  });
}
