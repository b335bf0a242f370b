import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startChain2Field, type Chain2Field } from '../../sim/demo-field/chain2-field.js';
import type { MeterDayFile } from '../../src/domain/day-file.js';
import { addDays, romeDay, romeMidnight } from '../../src/domain/kpi.js';
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
 * One meter, two chains (issue #13): associations made through the API program the simulated meters; their DUs
 * receive CF1 frames over the power line and a WebSocket client reads them as a DU integration would; the daily
 * collection reads the same meters' day files over Chain 1 and an operator reads them through the API. For every
 * quarter-hour of a whole day the curve's A+ is the CF1's CurrQuartActEnergy (and the next CF1's PrevQuartActEnergy).
 */
const until = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

interface Cf1 {
  MeasurePosixTimestamp: number;
  CurrQuartActEnergy: number;
  PrevQuartActEnergy: number;
}

describe('collection end to end: API → meter → DU, and meter → daily read → API', () => {
  let platform: TestPlatform;
  let field: Chain2Field;
  const clients: WebSocket[] = [];

  beforeAll(async () => {
    // Four simulated hours per wall second: a day every 6 s. Perfect meters and lines: every quarter-hour arrives.
    platform = await createTestPlatform(
      { kind: 'embedded', dataDir: undefined },
      {
        REQUEST_WORKFLOW: 'telemanagement',
        SIMULATOR_TIME_SCALE: '14400',
        SIMULATOR_LOSS_RATE: '0',
        SIMULATOR_UNREACHABLE_RATE: '0',
        SIMULATOR_FIELD_FAULTS: 'off',
      },
    );
    await platform.workflow.start();
    await platform.collection.start();
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    field = await startChain2Field(platform, { host: '127.0.0.1', duPort: 0, lossRate: 0, seed: 3, stepMs: 20 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await field?.close();
    await platform?.close();
  });

  it("stores, for every quarter-hour of a day, the energy the meter's CF1 frames carried to its DU", async () => {
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    const points = await addSupplyPoints(
      platform,
      ...Array.from({ length: 3 }, () => ({ concentratorId: 'CN000001' })),
    );
    const api = apiClient(platform, (await makeAssetProvider(platform)).token);
    for (const point of points)
      expect((await api.post('/associations', { pod: point.pod, du: makeDu() })).status).toBe(202);
    await until('the three meters programmed', () => field.endpoints().length === 3);

    // Each DU's WebSocket, as a DU integration reads it: "!" then Chain2Data.
    const cf1ByPod = new Map<string, Cf1[]>();
    for (const { pod, ws } of field.endpoints()) {
      const client = new WebSocket(ws);
      clients.push(client);
      cf1ByPod.set(pod, []);
      client.on('message', (data) => {
        const message = JSON.parse(String(data)) as { Chain2Data?: { Type: string; Payload: Cf1 } };
        if (message.Chain2Data?.Type === 'CF1') cf1ByPod.get(pod)!.push(message.Chain2Data.Payload);
      });
      await new Promise((resolve) => client.once('open', resolve));
      client.send('!');
    }

    // The first whole day after the DUs were listening, then its collection (01:00 the next day, on the meters' clock).
    const day = addDays(romeDay(new Date(platform.fieldNetwork!.now())), 1);
    const operator = apiClient(platform, (await makeOperator(platform)).token);
    await until(`the collection of ${day}`, async () => {
      const status = await operator.get(`/telemanagement/collection?day=${day}`);
      return status.status === 200 && status.body.totals.collected === 3;
    });

    const startS = romeMidnight(day).getTime() / 1000;
    const endS = romeMidnight(addDays(day, 1)).getTime() / 1000;
    for (const point of points) {
      const response = await operator.get(`/telemanagement/day-files/${point.pod}/${day}`);
      expect(response.status).toBe(200);
      const file = response.body as MeterDayFile;
      // The CF1 sent at a quarter's end carries that quarter; the next one carries it again as the previous quarter.
      const frames = cf1ByPod.get(point.pod)!;
      const closing = frames.filter((f) => f.MeasurePosixTimestamp > startS && f.MeasurePosixTimestamp <= endS);
      expect(closing).toHaveLength(file.intervals);
      expect(closing.map((f) => f.CurrQuartActEnergy)).toEqual(file.channels.activeImportWh);
      const following = frames.filter(
        (f) => f.MeasurePosixTimestamp > startS + 900 && f.MeasurePosixTimestamp <= endS + 900,
      );
      expect(following.map((f) => f.PrevQuartActEnergy)).toEqual(file.channels.activeImportWh);
      expect(file.channels.activeImportWh.reduce((sum, wh) => sum + wh, 0)).toBeGreaterThan(1_000);
      expect(file.registersAtEnd.importWh - file.registersAtStart.importWh).toBe(
        file.channels.activeImportWh.reduce((sum, wh) => sum + wh, 0),
      );
      expect(file.chain2FramesSent.byType.CF1).toBe(file.intervals);
    }
  }, 120_000);
});
