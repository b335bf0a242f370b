import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuEmulator } from '../../sim/du-emulator/index.js';
import { connectPowerLine, type PowerLineTap } from '../../sim/power-line/index.js';
import { apiClient } from '../support/api.js';
import { backends, type ScratchDatabase } from '../support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  type TestPlatform,
} from '../support/platform.js';
import { exited, startFieldNetworkService } from '../support/processes.js';

/**
 * The layout of a real head-end (issue #13): the meters live in `chain2 field-network`, a process of their own, and
 * the platform reaches them over HTTP (HEAD_END_URL). An association made through the API is programmed into the
 * service's meter, which then emits Chain 2 on the service's own power line, where a DU maker's emulator taps it.
 */
const postgres = backends().find((b) => b.name === 'PostgreSQL')!;
const KEY = '0F1E2D3C4B5A69788796A5B4C3D2E1F0';

describe.skipIf(!postgres.available)('the field network as a service of its own', () => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let service: ChildProcess | undefined;
  let tap: PowerLineTap | undefined;

  afterAll(async () => {
    await tap?.close();
    service?.kill('SIGTERM');
    if (service) await exited(service);
    await platform?.close();
    await scratch?.drop();
  });

  let url = '';
  beforeAll(async () => {
    // An hour of simulated time per wall second: a CF1 every 0.25 s.
    const started = await startFieldNetworkService({ SIMULATOR_TIME_SCALE: '3600' });
    service = started.child;
    url = started.url;
    scratch = await postgres.create();
    platform = await createTestPlatform(scratch.target, { REQUEST_WORKFLOW: 'telemanagement', HEAD_END_URL: url });
    await platform.workflow.start();
  }, 60_000);

  it("programs the service's meter over HTTP, and the meter's frames reach a DU on the service's power line", async () => {
    await platform.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    const [point] = await addSupplyPoints(platform, { concentratorId: 'CN000001' });
    const du = makeDu({ encryptionKey: KEY });
    const emulator = new DuEmulator({ id: 'service-du', pod: point!.pod, macAddress: du.macAddress, key: KEY });
    tap = await connectPowerLine(`${url.replace(/^http/, 'ws')}/power-line`, du.macAddress, (frame) =>
      emulator.receive(frame),
    );
    const api = apiClient(platform, (await makeAssetProvider(platform)).token);
    const created = await api.post('/associations', { pod: point!.pod, du });
    expect(created.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while (emulator.framesAccepted < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await api.get(`/associations/${created.body.association.id}`)).body.status).toBe('active');
    expect(emulator.framesAccepted).toBeGreaterThanOrEqual(4);
    expect(emulator.framesRejected).toBe(0);
  }, 60_000);
});
