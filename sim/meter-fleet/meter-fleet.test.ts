import { describe, expect, it } from 'vitest';
import type { Chain2Json } from '../../src/codec/index.js';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import { FieldNetworkSimulator } from '../../src/telemanagement/field-network.simulator.js';
import { VirtualScheduler } from '../../src/telemanagement/scheduler.js';
import { DuEmulator } from '../du-emulator/index.js';
import { PowerLineMedium } from '../power-line/index.js';
import { MeterFleet } from './meter-fleet.js';

const POD = 'IT001E10000001' as Pod;
const MAC = 'DC0A1B2C3D4E' as MacAddress;
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;
const NEW_KEY = 'FFEEDDCCBBAA99887766554433221100' as DuKey;
// Monday 2 March 2026, 07:50 in Rome (06:50 UTC): the F2 → F1 switch at 08:00 falls inside the first hour.
const START = Date.UTC(2026, 2, 2, 6, 50);

function world() {
  const scheduler = new VirtualScheduler({ startMs: START, autoAdvance: true });
  const network = new FieldNetworkSimulator({
    scheduler,
    lossRate: 0,
    unreachableRate: 0,
    meters: [{ pod: POD, meterSerial: '21E4E5KA101249263', concentratorId: 'CN000001', contractPowerW: 3000 }],
  });
  const medium = new PowerLineMedium({ lossRate: 0 });
  const fleet = new MeterFleet({ network, medium, seed: 1 });
  const du = (key: string) => {
    const emulator = new DuEmulator({ id: 'du-1', pod: POD, macAddress: MAC, key });
    const received: Chain2Json[] = [];
    emulator.subscribe((message) => received.push(message));
    medium.attach(MAC, (frame) => emulator.receive(frame));
    return { emulator, received };
  };
  let command = 0;
  const send = (c: Parameters<FieldNetworkSimulator['send']>[0]['command']) =>
    network.send({ commandId: `c-${++command}`, pod: POD, command: c });
  /** Moves simulated time on in 1-minute steps, as the demo's timer does. */
  const live = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      await scheduler.advance(60_000);
      fleet.step();
    }
  };
  return { fleet, du, send, live };
}

const cf1 = (messages: Chain2Json[]) =>
  messages.filter((m) => m.Chain2Data.Type === 'CF1').map((m) => m.Chain2Data.Payload as Record<string, number>);

describe("MeterFleet: the meters' side of Chain 2", () => {
  it('is silent until telemanagement programs the meter, then sends CF1 every quarter-hour with energy rising and the band of the hour', async () => {
    const { fleet, du, send, live } = world();
    const { emulator, received } = du(KEY);
    await live(10);
    expect(received).toEqual([]);
    expect(await send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY })).toMatchObject({
      status: 'done',
    });
    await live(60);
    const quarters = cf1(received);
    expect(quarters.length).toBe(4);
    const energies = quarters.map((q) => q.TotalActEnergy!);
    expect(energies).toEqual([...energies].sort((a, b) => a - b));
    expect(energies.at(-1)!).toBeGreaterThan(energies[0]!);
    // Quarter-hours at 08:15 … 09:00 Rome time on a Monday: band F1.
    expect(quarters.map((q) => q.TariffCode)).toEqual([1, 1, 1, 1]);
    expect(received.every((m) => m.Chain2Data.Id === 'du-1' && m.Chain2Data.Meter === 'M1')).toBe(true);
    expect(fleet.framesSentOn(POD, { year: 2026, month: 3, day: 2 })).toBe(emulator.framesAccepted);
  });

  it('falls silent when Chain 2 is cleared', async () => {
    const { fleet, du, send, live } = world();
    const { received } = du(KEY);
    await send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    await live(30);
    const before = received.length;
    expect(before).toBeGreaterThan(0);
    await send({ kind: 'clear_chain2' });
    await live(60);
    expect(received.length).toBe(before);
    expect(fleet.transmitting).toBe(0);
  });

  it('never reuses a frame counter: a meter cleared and programmed again with the same key is still heard', async () => {
    const { du, send, live } = world();
    const { emulator } = du(KEY);
    await send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    await live(30);
    await send({ kind: 'clear_chain2' });
    await live(15);
    await send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    const before = emulator.framesAccepted;
    await live(30);
    expect(emulator.framesAccepted).toBeGreaterThan(before);
    expect(emulator.rejections()).toEqual({});
  });

  it('seals with a new key at once: the DU with the old key refuses the frames, one with the new key reads them', async () => {
    const { du, send, live } = world();
    const old = du(KEY);
    await send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    await live(30);
    const accepted = old.emulator.framesAccepted;
    await send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: NEW_KEY });
    const fresh = du(NEW_KEY);
    await live(30);
    expect(old.emulator.framesAccepted).toBe(accepted);
    expect(old.emulator.rejections().authentication_failed).toBeGreaterThan(0);
    expect(cf1(fresh.received).length).toBe(2);
  });
});
