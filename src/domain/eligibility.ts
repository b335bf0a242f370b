import { distributorCodeOf, type Pod } from './identifiers.js';

/** Why a supply point cannot have Chain 2 (CHAIN2.md §3). Stable codes, shown to asset providers. */
export const IneligibilityReason = {
  podNotFound: 'pod_not_found',
  otherDistributor: 'other_distributor',
  notLowVoltage: 'not_low_voltage',
  not2gMeter: 'not_2g_meter',
  notInMassPlan: 'not_in_mass_plan',
  alreadyAssociated: 'already_associated',
} as const;
export type IneligibilityReason = (typeof IneligibilityReason)[keyof typeof IneligibilityReason];

export const VoltageLevel = { low: 'low', medium: 'medium', high: 'high' } as const;
export type VoltageLevel = (typeof VoltageLevel)[keyof typeof VoltageLevel];

export const MeterGeneration = { first: 1, second: 2 } as const;
export type MeterGeneration = (typeof MeterGeneration)[keyof typeof MeterGeneration];

/** A point of delivery in the DSO's registry, with the meter that serves it. */
export interface SupplyPoint {
  pod: Pod;
  distributorCode: string;
  voltageLevel: VoltageLevel;
  meterGeneration: MeterGeneration;
  installedInMassPlan: boolean;
  meterSerial: string;
  contractPowerW: number;
  concentratorId: string | null;
}

export interface Eligibility {
  pod: Pod;
  eligible: boolean;
  reasons: IneligibilityReason[];
}

/**
 * Eligible only if the supply is on this DSO's own low-voltage network, with a 2G meter installed in the
 * mass-replacement plan, and no live association holds it. Lists the first network/meter reason that applies
 * (distributor, registry, voltage, meter generation, mass plan, in that order) and `already_associated` beside it.
 */
export function assessEligibility(input: {
  pod: Pod;
  supplyPoint: SupplyPoint | undefined;
  hasLiveAssociation: boolean;
  ownDistributorCodes: readonly string[];
}): Eligibility {
  const { pod, supplyPoint } = input;
  const reasons: IneligibilityReason[] = [];
  if (!input.ownDistributorCodes.includes(distributorCodeOf(pod))) {
    reasons.push(IneligibilityReason.otherDistributor);
  } else if (!supplyPoint) {
    reasons.push(IneligibilityReason.podNotFound);
  } else {
    // The 2G mass plan covers the low-voltage network only: for a medium- or high-voltage supply the meter
    // reasons would be noise, so not_low_voltage stands alone.
    if (supplyPoint.voltageLevel !== VoltageLevel.low) reasons.push(IneligibilityReason.notLowVoltage);
    else if (supplyPoint.meterGeneration !== MeterGeneration.second) reasons.push(IneligibilityReason.not2gMeter);
    else if (!supplyPoint.installedInMassPlan) reasons.push(IneligibilityReason.notInMassPlan);
    if (input.hasLiveAssociation) reasons.push(IneligibilityReason.alreadyAssociated);
  }
  return { pod, eligible: reasons.length === 0, reasons };
}
