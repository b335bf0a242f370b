import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DuEmulator, DuServerMode, DuWebSocketServer } from '../../sim/du-emulator/index.js';
import { connectPowerLine, type PowerLineTap } from '../../sim/power-line/index.js';
import { tariffBandAt } from '../../src/domain/tariff-bands.js';
import { startChain2Field, type Chain2Field } from '../../sim/demo-field/chain2-field.js';
import { apiClient } from '../support/api.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  type TestPlatform,
} from '../support/platform.js';

/**
 * Issue 4 end to end: an association made through the API → telemanagement programs the simulated meter → the meter
 * sends sealed frames on the power line → a DU emulator of our own, in single mode and tapping the line over a real
 * socket, opens them → a WebSocket client sees them as Chain2Data; a key change makes the old DU refuse them, and a
 * delete silences the meter.
 */
const KEY = '0A1B2C3D4E5F60718293A4B5C6D7E8F9';
const NEW_KEY = 'F9E8D7C6B5A4938271605F4E3D2C1B0A';
const until = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('Chain 2 end to end: API → meter → power line → DU → WebSocket', () => {
  let platform: TestPlatform;
  let field: Chain2Field;
  let server: DuWebSocketServer;
  let tap: PowerLineTap;
  let client: WebSocket;
  let demoClient: WebSocket | undefined;
  const messages: {
    Chain2Data?: { Type: string; Payload: Record<string, number> };
    Chain2Info?: Record<string, unknown>;
  }[] = [];

  beforeAll(async () => {
    // One simulated hour per wall second: a CF1 every quarter-hour is a frame every 0.25 s.
    platform = await createTestPlatform(
      { kind: 'embedded', dataDir: undefined },
      {
        REQUEST_WORKFLOW: 'telemanagement',
        SIMULATOR_TIME_SCALE: '3600',
        SIMULATOR_LOSS_RATE: '0',
        SIMULATOR_UNREACHABLE_RATE: '0',
        // Perfect meters: a seeded late answer or outage is not what this test is about (it would miss a count).
        SIMULATOR_FIELD_FAULTS: 'off',
      },
    );
    await platform.workflow.start();
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    field = await startChain2Field(platform, { host: '127.0.0.1', duPort: 0, lossRate: 0, seed: 1, stepMs: 20 });
  });
  afterAll(async () => {
    client?.close();
    demoClient?.close();
    await tap?.close();
    await server?.close();
    await field?.close();
    await platform?.close();
  });

  it('delivers CF1 frames with rising energy and the band of their time; a key change and a delete reach the DU', async () => {
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    const [point] = await addSupplyPoints(platform, { concentratorId: 'CN000001' });
    const api = apiClient(platform, (await makeAssetProvider(platform)).token);
    const du = makeDu({ encryptionKey: KEY });

    // The DU maker's emulator, with the key the asset provider declared, on the line before the meter is programmed.
    const emulator = new DuEmulator({ id: 'kitchen-display', pod: point!.pod, macAddress: du.macAddress, key: KEY });
    const address = platform.app.server.address() as { port: number };
    tap = await connectPowerLine(`ws://127.0.0.1:${address.port}/power-line`, du.macAddress, (frame) =>
      emulator.receive(frame),
    );
    server = await DuWebSocketServer.listen({ mode: DuServerMode.single, dus: [emulator] });
    client = new WebSocket(server.urlOf(du.macAddress));
    client.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => client.once('open', resolve));
    client.send('!');
    await until('Chain2Info', () => messages.length > 0);
    expect(messages[0]!.Chain2Info).toMatchObject({ Id: 'kitchen-display', Mac: du.macAddress });

    const created = await api.post('/associations', { pod: point!.pod, du });
    await until(
      'the association to be active',
      async () => (await api.get(`/associations/${created.body.association.id}`)).body.status === 'active',
    );
    const cf1 = () => messages.flatMap((m) => (m.Chain2Data?.Type === 'CF1' ? [m.Chain2Data.Payload] : []));
    await until('four CF1 frames', () => cf1().length >= 4);

    const quarters = cf1();
    const energies = quarters.map((q) => q.TotalActEnergy!);
    expect(energies).toEqual([...energies].sort((a, b) => a - b));
    expect(energies.at(-1)!).toBeGreaterThan(energies[0]!);
    for (const quarter of quarters) {
      expect(quarter.MeasurePosixTimestamp! % 900).toBe(0);
      expect(quarter.TariffCode).toBe(tariffBandAt(new Date(quarter.MeasurePosixTimestamp! * 1000)));
      expect(quarter.QuartAveragePower).toBeGreaterThan(0);
    }
    expect(emulator.framesRejected).toBe(0);
    // The demo's own DU for this meter hears the same frames, and is given the new key with the meter.
    const demoDu = field.endpoints().find((d) => d.macAddress === du.macAddress);
    expect(demoDu?.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/du\/DC/);
    const demoFrames: string[] = [];
    demoClient = new WebSocket(demoDu!.ws);
    demoClient.on('message', (data) => demoFrames.push(String(data)));
    await new Promise((resolve) => demoClient!.once('open', resolve));
    demoClient.send('!');
    await until('a frame on the demo DU', () => demoFrames.some((f) => f.includes('"Chain2Data"')));

    // Key rotation: the meter seals with the new key at once; this DU, still holding the old one, refuses the frames.
    const rotated = await api.patch(`/associations/${created.body.association.id}`, { du: { encryptionKey: NEW_KEY } });
    await until(
      'the key change',
      async () => (await api.get(`/requests/${rotated.body.request.id}`)).body.status === 'completed',
    );
    const acceptedAfterRotation = emulator.framesAccepted;
    await until('frames under the new key', () => (emulator.rejections().authentication_failed ?? 0) >= 2);
    expect(emulator.framesAccepted).toBeLessThanOrEqual(acceptedAfterRotation + 1); // at most one in flight at the switch
    const demoHeard = demoFrames.length;
    await until('frames on the demo DU under the new key', () => demoFrames.length >= demoHeard + 2);

    // Delete: Chain 2 is cleared from the meter, which falls silent.
    const removed = await api.delete(`/associations/${created.body.association.id}`);
    await until(
      'the delete',
      async () => (await api.get(`/requests/${removed.body.request.id}`)).body.status === 'completed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // a step in flight at the switch
    const heard = emulator.framesAccepted + emulator.framesRejected;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // four simulated quarter-hours
    expect(emulator.framesAccepted + emulator.framesRejected).toBe(heard);
    expect(field.fleet.transmitting).toBe(0);
  });
});
