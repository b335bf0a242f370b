import { MeterGeneration, VoltageLevel, type SupplyPoint } from '../domain/eligibility.js';
import type { Pod } from '../domain/identifiers.js';
import type { Concentrator } from '../services/ports/index.js';
import { seededRandom } from '../telemanagement/seeded-random.js';

/**
 * A deterministic demo network: the same seed gives the same concentrators and supply points on every machine.
 * Categories cycle per hundred supply points so every concentrator has some of each.
 */
export const METERS_PER_CONCENTRATOR = 100;
export const DEMO_DISTRIBUTOR_CODE = '001';

export const DemoCategory = {
  eligible: 'eligible',
  mediumVoltage: 'medium_voltage',
  firstGeneration: 'first_generation',
  notInMassPlan: 'not_in_mass_plan',
} as const;
export type DemoCategory = (typeof DemoCategory)[keyof typeof DemoCategory];

/** Out of every 100 supply points: 3 medium voltage, 5 first-generation meters, 5 2G meters outside the plan. */
export function categoryOf(index: number): DemoCategory {
  const slot = index % 100;
  if (slot < 3) return DemoCategory.mediumVoltage;
  if (slot < 8) return DemoCategory.firstGeneration;
  if (slot < 13) return DemoCategory.notInMassPlan;
  return DemoCategory.eligible;
}

/** PODs are spread over the 8-digit space by a fixed odd stride: unique for up to 10^8 points, none look sequential. */
export function demoPod(index: number, distributorCode = DEMO_DISTRIBUTOR_CODE): Pod {
  const number = (index * 7_368_787 + 1_234_567) % 100_000_000;
  return `IT${distributorCode}E${String(number).padStart(8, '0')}` as Pod;
}

export function concentratorId(index: number): string {
  return `CN${String(index + 1).padStart(6, '0')}`;
}

export function demoConcentrators(count: number): Concentrator[] {
  return Array.from({ length: count }, (_, i) => ({
    concentratorId: concentratorId(i),
    substation: `Cabina secondaria ${String(i + 1).padStart(6, '0')}`,
  }));
}

const CONTRACT_POWERS_W = [3000, 3000, 3000, 3000, 4500, 6000, 1500, 10_000];

export function* demoSupplyPoints(count: number, seed = 2026): Generator<SupplyPoint> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const category = categoryOf(i);
    const serialDigits = String(Math.floor(random() * 100_000_000)).padStart(8, '0');
    yield {
      pod: demoPod(i),
      distributorCode: DEMO_DISTRIBUTOR_CODE,
      voltageLevel: category === DemoCategory.mediumVoltage ? VoltageLevel.medium : VoltageLevel.low,
      meterGeneration: category === DemoCategory.firstGeneration ? MeterGeneration.first : MeterGeneration.second,
      installedInMassPlan: category === DemoCategory.eligible,
      meterSerial: `2${i % 10}E4E5KA1${serialDigits}`,
      contractPowerW:
        category === DemoCategory.mediumVoltage
          ? 100_000
          : CONTRACT_POWERS_W[Math.floor(random() * CONTRACT_POWERS_W.length)]!,
      concentratorId: concentratorId(Math.floor(i / METERS_PER_CONCENTRATOR)),
    };
  }
}
