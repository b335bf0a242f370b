import { describe, expect, it } from 'vitest';
import type { Chain2Json } from '../../src/codec/index.js';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import type { MeterCommand } from '../../src/domain/meter-command.js';
import { DuEmulator } from '../du-emulator/index.js';
import { NO_FIELD_FAULTS } from '../meter/field-faults.js';
import { SimulatedMeter } from '../meter/simulated-meter.js';
import { PowerLineMedium } from '../power-line/index.js';
import { MeterFleet, type Chain2Network } from './meter-fleet.js';

const POD = 'IT001E10000001' as Pod;
const MAC = 'DC0A1B2C3D4E' as MacAddress;
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;
const NEW_KEY = 'FFEEDDCCBBAA99887766554433221100' as DuKey;
// Monday 2 March 2026, 07:50 in Rome (06:50 UTC): the F2 → F1 switch at 08:00 falls inside the first hour.
const START = Date.UTC(2026, 2, 2, 6, 50);

/** A field network reduced to what the fleet needs: a clock, one meter, commands straight to it. */
function world() {
  let nowMs = START;
  const meter = new SimulatedMeter(
    { pod: POD, meterSerial: '21E4E5KA101249263', concentratorId: 'CN000001', contractPowerW: 3000 },
    { startMs: START - 3_600_000, seed: 1, faults: NO_FIELD_FAULTS, pvShare: 0 },
  );
  const network: Chain2Network = {
    now: () => nowMs,
    programmedMeters: () => (meter.chain2Configuration() ? [meter] : []),
  };
  const medium = new PowerLineMedium({ lossRate: 0 });
  const fleet = new MeterFleet({ network, medium });
  const du = (key: string) => {
    const emulator = new DuEmulator({ id: 'du-1', pod: POD, macAddress: MAC, key });
    const received: Chain2Json[] = [];
    emulator.subscribe((message) => received.push(message));
    medium.attach(MAC, (frame) => emulator.receive(frame));
    return { emulator, received };
  };
  let command = 0;
  const send = (c: MeterCommand) => meter.receive(`c-${++command}`, c, nowMs);
  /** Moves simulated time on in 1-minute steps, as the demo's timer does. */
  const live = (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      nowMs += 60_000;
      fleet.step();
    }
  };
  return { fleet, meter, du, send, live };
}

const cf1 = (messages: Chain2Json[]) =>
  messages.filter((m) => m.Chain2Data.Type === 'CF1').map((m) => m.Chain2Data.Payload as Record<string, number>);

describe("MeterFleet: the meters' side of Chain 2", () => {
  it('is silent until telemanagement programs the meter, then sends CF1 every quarter-hour with energy rising and the band of the hour', () => {
    const { fleet, du, send, live } = world();
    const { emulator, received } = du(KEY);
    live(10);
    expect(received).toEqual([]);
    expect(send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY })).toEqual({ accepted: true });
    live(60);
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

  it("takes the meter's own frames: the CF1 energy is the meter's curve, its registers predate the programming", () => {
    const { fleet, du, meter, send, live } = world();
    const { received } = du(KEY);
    live(10);
    const registersBefore = meter.registers(START + 10 * 60_000).importEnergyWh;
    expect(registersBefore).toBeGreaterThan(0);
    send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    live(16 * 60); // to 00:00 the next day
    const quarters = cf1(received);
    expect(quarters[0]!.TotalActEnergy).toBeGreaterThanOrEqual(registersBefore);
    const file = meter.dayFile('2026-03-02');
    const startS = Date.parse(file.registersAtStart.at) / 1000;
    for (const quarter of quarters) {
      const index = (quarter.MeasurePosixTimestamp! - startS) / 900 - 1;
      if (index >= 0 && index < file.intervals)
        expect(quarter.CurrQuartActEnergy).toBe(file.channels.activeImportWh[index]);
    }
    expect(file.chain2FramesSent.total).toBe(fleet.framesSentOn(POD, { year: 2026, month: 3, day: 2 }));
    expect(file.chain2FramesSent.total).toBeLessThan(received.length); // 00:00 of the 3rd counts on the 3rd
  });

  it('falls silent when Chain 2 is cleared', () => {
    const { fleet, du, send, live } = world();
    const { received } = du(KEY);
    send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    live(30);
    const before = received.length;
    expect(before).toBeGreaterThan(0);
    send({ kind: 'clear_chain2' });
    live(60);
    expect(received.length).toBe(before);
    expect(fleet.transmitting).toBe(0);
  });

  it('never reuses a frame counter: a meter cleared and programmed again with the same key is still heard', () => {
    const { du, send, live } = world();
    const { emulator } = du(KEY);
    send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    live(30);
    send({ kind: 'clear_chain2' });
    live(15);
    send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    const before = emulator.framesAccepted;
    live(30);
    expect(emulator.framesAccepted).toBeGreaterThan(before);
    expect(emulator.rejections()).toEqual({});
  });

  it('seals with a new key at once: the DU with the old key refuses the frames, one with the new key reads them', () => {
    const { du, send, live } = world();
    const old = du(KEY);
    send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    live(30);
    const accepted = old.emulator.framesAccepted;
    send({ kind: 'program_chain2', macAddress: MAC, encryptionKey: NEW_KEY });
    const fresh = du(NEW_KEY);
    live(30);
    expect(old.emulator.framesAccepted).toBe(accepted);
    expect(old.emulator.rejections().authentication_failed).toBeGreaterThan(0);
    expect(cf1(fresh.received).length).toBe(2);
  });
});
