import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, MAX_FRAME_BYTES, TAG_BYTES } from './header.js';
import { FrameType, LAYOUTS, MAX_PAYLOAD_BYTES } from './layout.js';

/** The payload fields CHAIN2.md §4 names, per type (plus the timestamps its text gives every periodic/event frame). */
const CHAIN2_FIELDS: Record<FrameType, readonly string[]> = {
  CF1: [
    'MessagePosixTimestamp',
    'MeasurePosixTimestamp',
    'TariffCode',
    'CurrQuartActEnergy',
    'PrevQuartActEnergy',
    'InstantPower',
    'QuartAveragePower',
    'TotalActEnergy',
  ],
  CF5: [
    'MeasurePosixTimestamp',
    'DailyTotalActEnergyF1',
    'DailyTotalActEnergyF2',
    'DailyTotalActEnergyF3',
    'DailyTotalActEnergyF4',
    'DailyTotalActEnergyF5',
    'DailyTotalActEnergyF6',
    'DailyMaxInstantPower',
    'DailyMaxInstantPowerDateTime',
    'PrepaidCredit',
    'DayType',
  ],
  CF9: [
    'MeasurePosixTimestamp',
    'WeeklyVeffMin',
    'WeeklyVeffMinDateTime',
    'WeeklyVeffMax',
    'WeeklyVeffMaxDateTime',
    'WeeklyVeffBand1Counter',
    'WeeklyVeffBand2Counter',
    'WeeklyVeffBand3Counter',
    'WeeklyVeffBand4Counter',
    'WeeklyVeffBand5Counter',
  ],
  CF10: [
    'MeasurePosixTimestamp',
    'MonthlyTotalActEnergyF1',
    'MonthlyTotalActEnergyF2',
    'MonthlyTotalActEnergyF3',
    'MonthlyTotalActEnergyF4',
    'MonthlyTotalActEnergyF5',
    'MonthlyTotalActEnergyF6',
    'MonthlyMaxQuartAveragePower',
    'MonthlyMaxQuartAveragePowerDateTime',
    'ClosingCode',
  ],
  CF20: [
    'EventType',
    'EventPosixTimestamp',
    'EventsCounter',
    'CustomerCode',
    'POD',
    'PESSE',
    'Vendor',
    'Phone',
    'StartContract',
    'ContractPower',
    'AvailablePower',
    'FreezingDay',
    'Gap',
    'DataPlate',
    'K',
  ],
  CF21: ['EventType', 'EventsCounter', 'EventPosixTimestamp', 'InstantPower'],
  CF22: [
    'EventType',
    'EventsCounter',
    'EventPosixTimestamp',
    'InstantPower',
    'AvailablePower',
    'SwitchOffCountdownSeconds',
  ],
  CF23: ['EventType', 'EventsCounter', 'EventPosixTimestamp', 'OutageDuration'],
  CF51: ['EventType', 'EventsCounter', 'EventPosixTimestamp', 'InstantPower', 'Gap'],
};

function documentedTables(): Map<string, { payloadBytes: number; rows: string[] }> {
  const text = readFileSync(join(import.meta.dirname, 'LAYOUT.md'), 'utf8');
  const tables = new Map<string, { payloadBytes: number; rows: string[] }>();
  let current: { payloadBytes: number; rows: string[] } | undefined;
  for (const line of text.split('\n')) {
    const heading = /^### (CF\d+): .*\(wire code (\d+), payload (\d+) bytes\)$/.exec(line);
    if (heading) {
      current = { payloadBytes: Number(heading[3]), rows: [`wire code ${heading[2]}`] };
      tables.set(heading[1]!, current);
      continue;
    }
    const row = /^\| (\d+) \| (\d+) \| (\w+) \| (\w+) \|/.exec(line);
    if (row && current) current.rows.push(row.slice(1, 5).join(' '));
  }
  return tables;
}

describe('layout', () => {
  it.each(Object.values(FrameType))('names the %s payload fields exactly as CHAIN2.md §4 does', (type) => {
    expect(LAYOUTS[type].fields.map((field) => field.name)).toEqual(CHAIN2_FIELDS[type]);
  });

  it('is documented in LAYOUT.md at the offsets, widths and kinds the code uses', () => {
    const documented = documentedTables();
    expect([...documented.keys()]).toEqual(Object.values(FrameType));
    for (const layout of Object.values(LAYOUTS)) {
      expect(documented.get(layout.type), layout.type).toEqual({
        payloadBytes: layout.payloadBytes,
        rows: [
          `wire code ${layout.wireCode}`,
          ...layout.fields.map((field) => `${field.offset} ${field.widthBytes} ${field.name} ${field.kind}`),
        ],
      });
    }
  });

  it('bounds every frame by the largest payload', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(111);
    expect(MAX_FRAME_BYTES).toBe(HEADER_BYTES + 111 + TAG_BYTES);
  });

  it('gives every frame type a distinct wire code equal to the number in its name', () => {
    for (const layout of Object.values(LAYOUTS)) expect(layout.wireCode).toBe(Number(layout.type.slice(2)));
  });
});
