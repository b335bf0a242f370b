import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/domain/identifiers.js';
import { NO_FIELD_FAULTS } from './field-faults.js';
import { SimulatedMeter } from './simulated-meter.js';
import { substationDayFile, substationOutagesOn, technicalLossShare, TECHNICAL_LOSS_RANGE } from './substation.js';

/** Monday 12 January 2026, 00:00 in Rome. */
const MIDNIGHT = Date.UTC(2026, 0, 11, 23, 0);
const DAY = '2026-01-12';

function concentrator(count: number, faults = {}): SimulatedMeter[] {
  return Array.from(
    { length: count },
    (_, i) =>
      new SimulatedMeter(
        {
          pod: `IT001E${String(200_000 + i).padStart(8, '0')}` as Pod,
          meterSerial: `21E4E5KA1${String(i).padStart(8, '0')}`,
          concentratorId: 'CN000042',
          contractPowerW: 3_000,
        },
        { startMs: MIDNIGHT, seed: 3, faults: { ...NO_FIELD_FAULTS, ...faults }, pvShare: 0.2 },
      ),
  );
}

const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);

describe('substation meter', () => {
  it('sees its meters’ withdrawals minus injections plus a few % of technical losses', () => {
    const meters = concentrator(40);
    const files = meters.map((m) => m.dayFile(DAY));
    expect(files.some((f) => sum(f.channels.activeExportWh) > 0)).toBe(true); // some PV
    const substation = substationDayFile('CN000042', DAY, files, [], { seed: 3 });
    expect(substation.intervals).toBe(96);
    const loss = technicalLossShare('CN000042', 3);
    expect(loss).toBeGreaterThanOrEqual(TECHNICAL_LOSS_RANGE[0]);
    expect(loss).toBeLessThanOrEqual(TECHNICAL_LOSS_RANGE[1]);
    for (let i = 0; i < 96; i++) {
      const net = sum(files.map((f) => f.channels.activeImportWh[i]! - f.channels.activeExportWh[i]!));
      expect(substation.activeWh[i]).toBe(Math.round(net + loss * Math.abs(net)));
    }
  });

  it('finds a non-technical loss: a tampered meter registers less than its load draws, the substation sees all of it', () => {
    const meters = concentrator(60, { nonTechnicalLossShare: 0.1 });
    const files = meters.map((m) => m.dayFile(DAY));
    const trueLoads = meters.map((m) => m.trueDay(DAY));
    const thieves = trueLoads.filter((load, i) => sum(load.importWh) > sum(files[i]!.channels.activeImportWh) + 1);
    expect(thieves.length).toBeGreaterThan(0);
    const reported = substationDayFile('CN000042', DAY, files, [], { seed: 3, technicalLossShare: 0 });
    const real = substationDayFile('CN000042', DAY, files, trueLoads, { seed: 3, technicalLossShare: 0 });
    expect(sum(real.activeWh)).toBeGreaterThan(sum(reported.activeWh));
  });

  it('has seeded substation outages that every meter of the concentrator lives through', () => {
    const days = Array.from({ length: 60 }, (_, d) => 20_260_101 + d);
    const outages = days.flatMap((key) => substationOutagesOn('CN000042', 0, key, 3, 0.2));
    expect(outages.length).toBeGreaterThan(4);
    expect(outages.length).toBeLessThan(25);
    for (const { fromMs, toMs } of outages) {
      expect(toMs - fromMs).toBeGreaterThanOrEqual(10 * 60_000);
      expect(toMs - fromMs).toBeLessThanOrEqual(180 * 60_000);
    }
    expect(substationOutagesOn('CN000042', 0, 20_260_112, 3, 0)).toEqual([]);
    const meters = concentrator(3, { substationOutageRate: 1 });
    const [outage] = substationOutagesOn('CN000042', MIDNIGHT, 20_260_112, 3, 1);
    const substation = substationDayFile(
      'CN000042',
      DAY,
      [],
      meters.map((m) => m.trueDay(DAY)),
      { seed: 3 },
    );
    const from = Math.ceil((outage!.fromMs - MIDNIGHT) / 900_000);
    const to = Math.floor((outage!.toMs - MIDNIGHT) / 900_000);
    for (let i = from; i < to; i++) expect(substation.activeWh[i]).toBe(0);
  });
});
