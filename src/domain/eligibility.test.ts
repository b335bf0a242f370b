import { describe, expect, it } from 'vitest';
import {
  assessEligibility,
  IneligibilityReason,
  MeterGeneration,
  VoltageLevel,
  type IneligibilityReason as Reason,
  type SupplyPoint,
} from './eligibility.js';
import type { Pod } from './identifiers.js';

const POD = 'IT001E12345678' as Pod;
const OWN = ['001'] as const;

/** An eligible supply point of e-distribuzione unless overridden. */
function makeSupplyPoint(overrides: Partial<SupplyPoint> = {}): SupplyPoint {
  return {
    pod: POD,
    distributorCode: '001',
    voltageLevel: VoltageLevel.low,
    meterGeneration: MeterGeneration.second,
    installedInMassPlan: true,
    meterSerial: '21E4E5KA101249263',
    contractPowerW: 3000,
    concentratorId: 'C-0001',
    ...overrides,
  };
}

describe('IneligibilityReason', () => {
  it('keeps its stable codes', () => {
    expect(Object.values(IneligibilityReason)).toEqual([
      'pod_not_found',
      'other_distributor',
      'not_low_voltage',
      'not_2g_meter',
      'not_in_mass_plan',
      'already_associated',
    ]);
  });
});

describe('assessEligibility', () => {
  it('declares eligible a low-voltage supply of this DSO with a 2G meter of the mass plan and no live association', () => {
    expect(
      assessEligibility({
        pod: POD,
        supplyPoint: makeSupplyPoint(),
        hasLiveAssociation: false,
        ownDistributorCodes: OWN,
      }),
    ).toEqual({ pod: POD, eligible: true, reasons: [] });
  });

  // Every combination of the supply-point facts, with and without a live association.
  const cases: [string, Partial<SupplyPoint>, boolean, Reason[]][] = [
    ['a 2G meter in the mass plan with a live association', {}, true, ['already_associated']],
    ['a 2G meter outside the mass plan', { installedInMassPlan: false }, false, ['not_in_mass_plan']],
    [
      'a 2G meter outside the mass plan with a live association',
      { installedInMassPlan: false },
      true,
      ['not_in_mass_plan', 'already_associated'],
    ],
    ['a 1G meter in the mass plan', { meterGeneration: MeterGeneration.first }, false, ['not_2g_meter']],
    [
      'a 1G meter in the mass plan with a live association',
      { meterGeneration: MeterGeneration.first },
      true,
      ['not_2g_meter', 'already_associated'],
    ],
    [
      'a 1G meter outside the mass plan (the meter reason only)',
      { meterGeneration: MeterGeneration.first, installedInMassPlan: false },
      false,
      ['not_2g_meter'],
    ],
    [
      'a 1G meter outside the mass plan with a live association',
      { meterGeneration: MeterGeneration.first, installedInMassPlan: false },
      true,
      ['not_2g_meter', 'already_associated'],
    ],
    ['a medium-voltage supply', { voltageLevel: VoltageLevel.medium }, false, ['not_low_voltage']],
    ['a high-voltage supply', { voltageLevel: VoltageLevel.high }, false, ['not_low_voltage']],
    [
      'a medium-voltage supply with a live association',
      { voltageLevel: VoltageLevel.medium },
      true,
      ['not_low_voltage', 'already_associated'],
    ],
    [
      'a medium-voltage supply with a 1G meter outside the mass plan (voltage stands alone)',
      { voltageLevel: VoltageLevel.medium, meterGeneration: MeterGeneration.first, installedInMassPlan: false },
      false,
      ['not_low_voltage'],
    ],
    [
      'a high-voltage supply with a 1G meter',
      { voltageLevel: VoltageLevel.high, meterGeneration: MeterGeneration.first },
      false,
      ['not_low_voltage'],
    ],
    [
      'a high-voltage supply outside the mass plan',
      { voltageLevel: VoltageLevel.high, installedInMassPlan: false },
      false,
      ['not_low_voltage'],
    ],
    [
      'a high-voltage supply with a 1G meter outside the mass plan and a live association',
      { voltageLevel: VoltageLevel.high, meterGeneration: MeterGeneration.first, installedInMassPlan: false },
      true,
      ['not_low_voltage', 'already_associated'],
    ],
  ];

  it.each(cases)('declares not eligible %s', (_case, overrides, hasLiveAssociation, reasons) => {
    expect(
      assessEligibility({
        pod: POD,
        supplyPoint: makeSupplyPoint(overrides),
        hasLiveAssociation,
        ownDistributorCodes: OWN,
      }),
    ).toEqual({ pod: POD, eligible: false, reasons });
  });

  it.each([false, true])(
    'declares not eligible a POD of this DSO missing from the registry (live association: %s)',
    (hasLiveAssociation) => {
      expect(
        assessEligibility({ pod: POD, supplyPoint: undefined, hasLiveAssociation, ownDistributorCodes: OWN }),
      ).toEqual({ pod: POD, eligible: false, reasons: ['pod_not_found'] });
    },
  );

  describe('distributor code', () => {
    const areti = 'IT002E12345678' as Pod;

    it.each([
      ['in the registry', makeSupplyPoint({ pod: areti, distributorCode: '002' }), false],
      ['missing from the registry', undefined, false],
      ['in the registry with a live association', makeSupplyPoint({ pod: areti, distributorCode: '002' }), true],
      ['in the registry on medium voltage', makeSupplyPoint({ pod: areti, voltageLevel: VoltageLevel.medium }), false],
    ])(
      'declares a POD of another distributor not eligible for that reason alone, %s',
      (_case, supplyPoint, hasLiveAssociation) => {
        expect(assessEligibility({ pod: areti, supplyPoint, hasLiveAssociation, ownDistributorCodes: OWN })).toEqual({
          pod: areti,
          eligible: false,
          reasons: ['other_distributor'],
        });
      },
    );

    it.each([
      ['IT001E12345678', true],
      ['IT002E12345678', true],
      ['IT003E12345678', false],
    ])('with own codes 001 and 002, treats %s as own: %s', (pod, own) => {
      const result = assessEligibility({
        pod: pod as Pod,
        supplyPoint: undefined,
        hasLiveAssociation: false,
        ownDistributorCodes: ['001', '002'],
      });
      expect(result.reasons).toEqual([own ? 'pod_not_found' : 'other_distributor']);
    });

    it("treats every POD as another distributor's when the DSO lists no own code", () => {
      expect(
        assessEligibility({
          pod: POD,
          supplyPoint: makeSupplyPoint(),
          hasLiveAssociation: false,
          ownDistributorCodes: [],
        }),
      ).toEqual({ pod: POD, eligible: false, reasons: ['other_distributor'] });
    });

    it('compares whole codes, not prefixes', () => {
      const pod = 'IT010E12345678' as Pod;
      expect(
        assessEligibility({
          pod,
          supplyPoint: makeSupplyPoint({ pod }),
          hasLiveAssociation: false,
          ownDistributorCodes: ['01', '0'],
        }),
      ).toEqual({ pod, eligible: false, reasons: ['other_distributor'] });
    });
  });

  it('echoes the POD it was asked about', () => {
    const pod = 'IT001E87654321X' as Pod;
    expect(
      assessEligibility({
        pod,
        supplyPoint: makeSupplyPoint({ pod }),
        hasLiveAssociation: false,
        ownDistributorCodes: OWN,
      }).pod,
    ).toBe('IT001E87654321X');
  });
});
