import { describe, expect, it } from 'vitest';
import {
  AssociationStatus,
  canMoveAssociation,
  Chain2Channel,
  isLive,
  LIVE_ASSOCIATION_STATUSES,
  type AssociationStatus as Status,
} from './association.js';

const ALL: Status[] = ['pending', 'active', 'rejected', 'deleted'];

/** The association lifecycle, written out in full: every transition not listed here must be refused. */
const ALLOWED: readonly (readonly [Status, Status])[] = [
  ['pending', 'active'], // the meter was programmed with the DU's MAC and key
  ['pending', 'rejected'], // telemanagement refused or failed: the meter was never programmed
  ['active', 'deleted'], // the asset provider deleted it and the meter was cleared
];

const allPairs = ALL.flatMap((from) => ALL.map((to) => [from, to] as const));
const isAllowed = (from: Status, to: Status) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('AssociationStatus', () => {
  it('has exactly the four statuses the table covers, stored lowercase', () => {
    expect(Object.values(AssociationStatus)).toEqual(ALL);
  });

  it('has PLC band C as its only Chain 2 channel', () => {
    expect(Object.values(Chain2Channel)).toEqual(['plc_band_c']);
  });
});

describe('canMoveAssociation', () => {
  it.each(allPairs.filter(([from, to]) => isAllowed(from, to)))(
    'allows an association to move from %s to %s',
    (from, to) => {
      expect(canMoveAssociation(from, to)).toBe(true);
    },
  );

  it.each(allPairs.filter(([from, to]) => !isAllowed(from, to)))(
    'refuses to move an association from %s to %s',
    (from, to) => {
      expect(canMoveAssociation(from, to)).toBe(false);
    },
  );

  it('covers all 16 pairs, 3 allowed and 13 refused', () => {
    expect(allPairs).toHaveLength(16);
    expect(allPairs.filter(([from, to]) => canMoveAssociation(from, to))).toEqual(ALLOWED);
  });

  it.each(['rejected', 'deleted'] as const)('leaves no way out of the final status %s', (from) => {
    expect(ALL.filter((to) => canMoveAssociation(from, to))).toEqual([]);
  });
});

describe('isLive', () => {
  it.each([
    ['pending', true],
    ['active', true],
    ['rejected', false],
    ['deleted', false],
  ] as const)('says an association that is %s is live: %s', (status, live) => {
    expect(isLive(status)).toBe(live);
  });

  it('lists pending and active as the live statuses that hold a POD and a MAC address', () => {
    expect(LIVE_ASSOCIATION_STATUSES).toEqual(['pending', 'active']);
  });
});
