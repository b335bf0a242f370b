import { expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { fakeHeadEnd, makeDayFile } from '../../test/support/day-files.js';
import { makeSupplyPoint, nextMac } from '../../test/support/platform.js';
import { Chain2Channel } from '../domain/association.js';
import type { ConcentratorDayRead } from '../domain/day-file.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import { dayWindow } from '../domain/kpi.js';
import type { Storage } from '../services/ports/index.js';

/**
 * The collection store in the storage contract (storage.contract.ts, both databases). Each case has a concentrator
 * and days of its own.
 */
export function collectionStoreContract(context: () => { storage: Storage; assetProviderId: string }) {
  const at = new Date('2026-05-02T01:00:00Z');
  const storage = () => context().storage;
  let concentrators = 0;

  async function concentratorWith(n: number): Promise<{ concentratorId: string; pods: Pod[] }> {
    const concentratorId = `CC${String(++concentrators).padStart(6, '0')}`;
    await storage().supplyPoints.insertConcentrators([{ concentratorId, substation: `Cabina ${concentratorId}` }]);
    const rows = Array.from({ length: n }, () => makeSupplyPoint({ concentratorId }));
    await storage().supplyPoints.importMany(rows);
    return { concentratorId, pods: rows.map((r) => r.pod).sort() };
  }

  const store = (read: ConcentratorDayRead, when = at) =>
    storage().transaction((tx) => tx.collection.storeRead(read, when, dayWindow(read.day)));
  const count = async (text: string, values: unknown[]) =>
    Number(((await storage().sql.executeSql(text, values)).rows[0] as { n: string }).n);

  it('stores a day read twice once, with its channels, registers and events as they came, and what was missing with its reason', async () => {
    const day = '2026-05-01';
    const { concentratorId, pods } = await concentratorWith(3);
    const [a, b, c] = pods as [Pod, Pod, Pod];
    expect(await storage().collection.podsToCollect(concentratorId, day)).toEqual([a, b, c]);
    const read: ConcentratorDayRead = {
      concentratorId,
      day,
      files: [makeDayFile(a, concentratorId, day), makeDayFile(b, concentratorId, day)],
      missing: [{ pod: c, reason: 'no_answer' }],
      substation: { concentratorId, day, intervals: 96, activeWh: Array.from({ length: 96 }, () => 120) },
      linkSeconds: 7.5,
    };
    expect(await store(read)).toEqual({ stored: 2, counted: 0 });
    expect(await store(read)).toEqual({ stored: 0, counted: 0 });
    expect(await storage().collection.podsToCollect(concentratorId, day)).toEqual([c]);
    expect(
      await count('SELECT count(*) AS n FROM meter_day_files WHERE day = $1 AND concentrator_id = $2', [
        day,
        concentratorId,
      ]),
    ).toBe(2);
    const { rows } = await storage().sql.executeSql(
      `SELECT active_import_wh, status, registers_at_end, events, chain2_frames_sent FROM meter_day_files WHERE day = $1 AND pod = $2`,
      [day, a],
    );
    const file = makeDayFile(a, concentratorId, day);
    expect(rows[0]).toEqual({
      active_import_wh: file.channels.activeImportWh,
      status: file.status,
      registers_at_end: file.registersAtEnd,
      events: file.events,
      chain2_frames_sent: file.chain2FramesSent,
    });
    expect(
      await count('SELECT count(*) AS n FROM substation_day_files WHERE day = $1 AND concentrator_id = $2', [
        day,
        concentratorId,
      ]),
    ).toBe(1);
    expect(await storage().collection.status(day)).toContainEqual({
      concentratorId,
      meters: 3,
      collected: 2,
      late: 0,
      missing: 1,
      lastAttemptAt: at,
      linkSeconds: 15,
    });
  });

  it('counts a file that came after its meter was missing as late', async () => {
    const day = '2026-05-03';
    const { concentratorId, pods } = await concentratorWith(2);
    const [a, b] = pods as [Pod, Pod];
    await store({
      concentratorId,
      day,
      files: [makeDayFile(a, concentratorId, day)],
      missing: [{ pod: b, reason: 'link_timeout' }],
      linkSeconds: 1,
    });
    const later = new Date(at.getTime() + 2 * 86_400_000);
    await store(
      { concentratorId, day, files: [makeDayFile(b, concentratorId, day)], missing: [], linkSeconds: 1 },
      later,
    );
    expect((await storage().collection.status(day)).find((s) => s.concentratorId === concentratorId)).toEqual({
      concentratorId,
      meters: 2,
      collected: 2,
      late: 1,
      missing: 0,
      lastAttemptAt: later,
      linkSeconds: 2,
    });
  });

  it('gives the monitoring the frames sent of meters that sent frames or had an association that day, once, and marks the day stale', async () => {
    const day = '2026-05-05';
    const { concentratorId, pods } = await concentratorWith(3);
    const [sending, associated, plain] = pods as [Pod, Pod, Pod];
    await storage().associations.insertMany([
      {
        associationId: uuidv7(),
        assetProviderId: context().assetProviderId,
        pod: associated,
        channel: Chain2Channel.plcBandC,
        du: { name: 'DU', macAddress: nextMac() as MacAddress, hardwareVersion: 'h', softwareVersion: 's' },
        sealedKey: new Uint8Array([1]),
        keyLast4: 'ABCD',
        at,
      },
    ]);
    // Programmed in the morning: active for part of the day.
    await storage().sql.executeSql(`UPDATE associations SET active_from = $2 WHERE pod = $1`, [
      associated,
      new Date('2026-05-05T08:00:00Z'),
    ]);
    await storage().sql.executeSql('DELETE FROM kpi_stale_days WHERE day = $1', [day]);
    const files = [
      makeDayFile(sending, concentratorId, day, 97),
      makeDayFile(associated, concentratorId, day, 0),
      makeDayFile(plain, concentratorId, day, 0),
    ];
    expect(await store({ concentratorId, day, files, missing: [], linkSeconds: 1 })).toEqual({ stored: 3, counted: 2 });
    expect(await storage().kpiCompute.staleDays()).toContain(day);
    const { rows } = await storage().sql.executeSql(
      'SELECT pod, sent FROM meter_daily_counts WHERE day = $1 ORDER BY pod',
      [day],
    );
    expect(rows).toEqual(
      [
        { pod: sending, sent: 97 },
        { pod: associated, sent: 0 },
      ].sort((x, y) => (x.pod < y.pod ? -1 : 1)),
    );
    await storage().transaction((tx) => tx.kpiCompute.clearStale(day));
    expect(await store({ concentratorId, day, files, missing: [], linkSeconds: 1 })).toEqual({ stored: 0, counted: 0 });
    expect(await storage().kpiCompute.staleDays()).not.toContain(day);
  });

  it('schedules a first collection once per concentrator and day, and a late one once per run day while meters are outstanding', async () => {
    const { concentratorId, pods } = await concentratorWith(2);
    const [d1, d2] = ['2026-06-01', '2026-06-02'];
    const mine = <T extends { concentratorId: string }>(rows: T[]) =>
      rows.filter((r) => r.concentratorId === concentratorId);
    expect(mine(await storage().collection.scheduleFirstRuns([d1, d2], '2026-06-03'))).toEqual([
      { concentratorId, day: d1 },
      { concentratorId, day: d2 },
    ]);
    expect(mine(await storage().collection.scheduleFirstRuns([d2], '2026-06-03'))).toEqual([]);
    // Never read yet: asked again on the next run day, once.
    expect(mine(await storage().collection.scheduleLateRuns(d1, d2, '2026-06-03'))).toEqual([]);
    expect(mine(await storage().collection.scheduleLateRuns(d1, d2, '2026-06-04'))).toHaveLength(2);
    expect(mine(await storage().collection.scheduleLateRuns(d1, d2, '2026-06-04'))).toEqual([]);
    const fake = fakeHeadEnd();
    fake.silent.add(pods[1]!);
    for (const day of [d1, d2]) await store(await fake.headEnd.dailyRead({ concentratorId, day, pods }));
    fake.silent.clear();
    await store(await fake.headEnd.dailyRead({ concentratorId, day: d1, pods: [pods[1]!] }));
    // d1 is whole now; d2 still misses a meter.
    expect(mine(await storage().collection.scheduleLateRuns(d1, d2, '2026-06-05'))).toEqual([
      { concentratorId, day: d2 },
    ]);
  });
}
