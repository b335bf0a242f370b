import { describe, expect, it } from 'vitest';
import {
  canMoveRequest,
  CLOSED_REQUEST_STATUSES,
  isOpen,
  needsReason,
  OPEN_REQUEST_STATUSES,
  RequestKind,
  RequestStatus,
  type RequestStatus as Status,
} from './request.js';

const ALL: Status[] = ['submitted', 'queued', 'taken_in_charge', 'completed', 'rejected', 'failed'];

/** The request lifecycle, written out in full: every transition not listed here must be refused. */
const ALLOWED: readonly (readonly [Status, Status])[] = [
  ['submitted', 'queued'], // validated, waiting for the asset provider's daily quota
  ['submitted', 'rejected'], // not admissible
  ['queued', 'taken_in_charge'],
  ['queued', 'rejected'],
  ['queued', 'failed'],
  ['taken_in_charge', 'completed'], // telemanagement programmed or cleared the meter
  ['taken_in_charge', 'rejected'],
  ['taken_in_charge', 'failed'],
];

const allPairs = ALL.flatMap((from) => ALL.map((to) => [from, to] as const));
const isAllowed = (from: Status, to: Status) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('RequestStatus and RequestKind', () => {
  it('has exactly the six statuses the table covers, stored lowercase', () => {
    expect(Object.values(RequestStatus)).toEqual(ALL);
  });

  it('has the three kinds of online service: create, modify, delete', () => {
    expect(Object.values(RequestKind)).toEqual(['create', 'modify', 'delete']);
  });
});

describe('canMoveRequest', () => {
  it.each(allPairs.filter(([from, to]) => isAllowed(from, to)))(
    'allows a request to move from %s to %s',
    (from, to) => {
      expect(canMoveRequest(from, to)).toBe(true);
    },
  );

  it.each(allPairs.filter(([from, to]) => !isAllowed(from, to)))(
    'refuses to move a request from %s to %s',
    (from, to) => {
      expect(canMoveRequest(from, to)).toBe(false);
    },
  );

  it('covers all 36 pairs, 8 allowed and 28 refused', () => {
    expect(allPairs).toHaveLength(36);
    expect(allPairs.filter(([from, to]) => canMoveRequest(from, to))).toEqual(ALLOWED);
  });

  it.each(['completed', 'rejected', 'failed'] as const)('leaves no way out of the closed status %s', (from) => {
    expect(ALL.filter((to) => canMoveRequest(from, to))).toEqual([]);
  });

  it.each(['submitted', 'queued', 'taken_in_charge'] as const)(
    'lets an open %s request be closed by a rejection',
    (from) => {
      expect(canMoveRequest(from, 'rejected')).toBe(true);
    },
  );
});

describe('isOpen', () => {
  it.each([
    ['submitted', true],
    ['queued', true],
    ['taken_in_charge', true],
    ['completed', false],
    ['rejected', false],
    ['failed', false],
  ] as const)('says a request that is %s is open: %s', (status, open) => {
    expect(isOpen(status)).toBe(open);
  });

  it('splits the statuses into open and closed, each status in exactly one list', () => {
    expect(OPEN_REQUEST_STATUSES).toEqual(['submitted', 'queued', 'taken_in_charge']);
    expect(CLOSED_REQUEST_STATUSES).toEqual(['completed', 'rejected', 'failed']);
    expect([...OPEN_REQUEST_STATUSES, ...CLOSED_REQUEST_STATUSES].sort()).toEqual([...ALL].sort());
  });

  it('lets only an open request change status', () => {
    const movable = ALL.filter((from) => ALL.some((to) => canMoveRequest(from, to)));
    expect(movable).toEqual(OPEN_REQUEST_STATUSES);
  });
});

describe('needsReason', () => {
  it.each([
    ['submitted', false],
    ['queued', false],
    ['taken_in_charge', false],
    ['completed', false],
    ['rejected', true],
    ['failed', true],
  ] as const)('says a request that is %s needs a reason: %s', (status, needed) => {
    expect(needsReason(status)).toBe(needed);
  });
});
