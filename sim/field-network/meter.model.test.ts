import { describe, expect, it } from 'vitest';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import type { TariffCalendar } from '../../src/domain/meter-command.js';
import { MeterModel, REMEMBERED_COMMAND_IDS } from './meter.model.js';

const HOUR_MS = 3_600_000;
/** Monday 12 January 2026, 00:00 in Rome (CET, UTC+1): an ordinary weekday. */
const MONDAY_MIDNIGHT_ROME = Date.UTC(2026, 0, 11, 23, 0);
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;
const MAC = 'DC0A1B2C3D4E' as MacAddress;

function makeMeter(overrides: { contractPowerW?: number; loadW?: number; startMs?: number } = {}): MeterModel {
  return new MeterModel(
    {
      pod: 'IT001E00000001' as Pod,
      meterSerial: '21E4E5KA101249263',
      concentratorId: 'CN000001',
      contractPowerW: overrides.contractPowerW ?? 3000,
    },
    { loadW: overrides.loadW ?? 1000, startMs: overrides.startMs ?? MONDAY_MIDNIGHT_ROME },
  );
}

describe('MeterModel', () => {
  it('starts connected, without Chain 2, with available power = contract × 1.1', () => {
    const state = makeMeter({ contractPowerW: 3000 }).state();
    expect(state).toMatchObject({
      connected: true,
      hasChain2: false,
      macAddress: null,
      keyLast4: null,
      availablePowerW: 3300,
    });
  });

  it('credits a weekday of constant load to F1, F2 and F3 by the ARERA calendar', () => {
    const meter = makeMeter({ loadW: 1000 });
    const registers = meter.registers(MONDAY_MIDNIGHT_ROME + 24 * HOUR_MS);
    // F1 08–19 (11 h), F2 07–08 and 19–23 (5 h), F3 23–07 (8 h), at 1 kW.
    expect(registers.importEnergyByBandWh).toEqual([11_000, 5_000, 8_000, 0, 0, 0]);
    expect(registers.importEnergyWh).toBe(24_000);
    expect(registers.exportEnergyWh).toBe(0);
  });

  it('counts no energy while disconnected', () => {
    const meter = makeMeter({ loadW: 1000 });
    meter.receive('c1', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME + HOUR_MS);
    meter.receive('c2', { kind: 'connect' }, MONDAY_MIDNIGHT_ROME + 3 * HOUR_MS);
    expect(meter.registers(MONDAY_MIDNIGHT_ROME + 4 * HOUR_MS).importEnergyWh).toBe(2000);
  });

  it('credits energy to the bands of the calendar it holds from the moment it accepts it', () => {
    const meter = makeMeter({ loadW: 1000 });
    const allF4: TariffCalendar = {
      weekday: [{ fromMinute: 0, band: 4 }],
      saturday: [{ fromMinute: 0, band: 4 }],
      holiday: [{ fromMinute: 0, band: 4 }],
    };
    expect(
      meter.receive('c1', { kind: 'set_tariff_calendar', calendar: allF4 }, MONDAY_MIDNIGHT_ROME + 2 * HOUR_MS),
    ).toEqual({ accepted: true });
    expect(meter.registers(MONDAY_MIDNIGHT_ROME + 5 * HOUR_MS).importEnergyByBandWh).toEqual([0, 0, 2000, 3000, 0, 0]);
  });

  it('refuses a calendar whose switches are not on quarter-hours, or that leaves midnight undefined', () => {
    const meter = makeMeter();
    const offQuarter: TariffCalendar = {
      weekday: [
        { fromMinute: 0, band: 3 },
        { fromMinute: 425, band: 2 },
      ],
      saturday: [{ fromMinute: 0, band: 3 }],
      holiday: [{ fromMinute: 0, band: 3 }],
    };
    const noMidnight: TariffCalendar = { ...offQuarter, weekday: [{ fromMinute: 60, band: 1 }] };
    expect(
      meter.receive('c1', { kind: 'set_tariff_calendar', calendar: offQuarter }, MONDAY_MIDNIGHT_ROME),
    ).toMatchObject({ accepted: false });
    expect(
      meter.receive('c2', { kind: 'set_tariff_calendar', calendar: noMidnight }, MONDAY_MIDNIGHT_ROME),
    ).toMatchObject({ accepted: false });
    expect(meter.state().tariffCalendar.weekday).toHaveLength(5);
  });

  it('keeps a copy of the calendar, not the sender’s object', () => {
    const meter = makeMeter();
    const calendar: TariffCalendar = {
      weekday: [{ fromMinute: 0, band: 1 }],
      saturday: [{ fromMinute: 0, band: 2 }],
      holiday: [{ fromMinute: 0, band: 3 }],
    };
    meter.receive('c1', { kind: 'set_tariff_calendar', calendar }, MONDAY_MIDNIGHT_ROME);
    calendar.weekday[0]!.band = 6;
    expect(meter.state().tariffCalendar.weekday).toEqual([{ fromMinute: 0, band: 1 }]);
  });

  it('answers a repeated refused command with the same refusal', () => {
    const meter = makeMeter();
    const first = meter.receive('c1', { kind: 'set_available_power', availablePowerW: 0 }, MONDAY_MIDNIGHT_ROME);
    expect(meter.receive('c1', { kind: 'set_available_power', availablePowerW: 0 }, MONDAY_MIDNIGHT_ROME)).toEqual(
      first,
    );
    expect(meter.state().commandsProcessed).toBe(1);
  });

  it(`forgets command ids older than the last ${REMEMBERED_COMMAND_IDS} and executes such an id again`, () => {
    const meter = makeMeter();
    meter.receive('first', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME);
    for (let i = 0; i < REMEMBERED_COMMAND_IDS - 1; i++)
      meter.receive(`fill-${i}`, { kind: 'connect' }, MONDAY_MIDNIGHT_ROME);
    meter.receive('first', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME);
    expect(meter.state()).toMatchObject({ connected: true, commandsProcessed: REMEMBERED_COMMAND_IDS });
    meter.receive('one-more', { kind: 'connect' }, MONDAY_MIDNIGHT_ROME);
    meter.receive('first', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME);
    expect(meter.state()).toMatchObject({ connected: false, commandsProcessed: REMEMBERED_COMMAND_IDS + 2 });
  });

  it('refuses a malformed DU MAC or key without echoing the key', () => {
    const meter = makeMeter();
    const badKey = 'not-a-key-0123456789' as DuKey;
    const answer = meter.receive(
      'c1',
      { kind: 'program_chain2', macAddress: MAC, encryptionKey: badKey },
      MONDAY_MIDNIGHT_ROME,
    );
    expect(answer).toMatchObject({ accepted: false });
    expect(JSON.stringify(answer)).not.toContain(badKey);
    expect(
      meter.receive(
        'c2',
        { kind: 'program_chain2', macAddress: 'AB0A1B2C3D4E' as MacAddress, encryptionKey: KEY },
        MONDAY_MIDNIGHT_ROME,
      ),
    ).toMatchObject({ accepted: false });
    expect(meter.state().hasChain2).toBe(false);
  });

  it('never shows its DU key in its state, in inspection or in JSON', async () => {
    const meter = makeMeter();
    meter.receive('c1', { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, MONDAY_MIDNIGHT_ROME);
    const { inspect } = await import('node:util');
    expect(JSON.stringify(meter.state())).not.toContain(KEY);
    expect(JSON.stringify(meter)).not.toContain(KEY);
    expect(inspect(meter, { depth: 5 })).not.toContain(KEY);
    expect(meter.state().keyLast4).toBe('EEFF');
    expect(meter.chain2Key()).toBe(KEY);
  });
});
