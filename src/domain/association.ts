import type { MacAddress, Pod } from './identifiers.js';

/** pending: waiting for the meter to be programmed; active: Chain 2 flows; rejected: never programmed; deleted: cleared. */
export const AssociationStatus = {
  pending: 'pending',
  active: 'active',
  rejected: 'rejected',
  deleted: 'deleted',
} as const;
export type AssociationStatus = (typeof AssociationStatus)[keyof typeof AssociationStatus];

/** Live associations hold their POD and their DU's MAC address: at most one each. */
export const LIVE_ASSOCIATION_STATUSES: readonly AssociationStatus[] = [
  AssociationStatus.pending,
  AssociationStatus.active,
];

/** How Chain 2 reaches the DU: an attribute of the association, not a constant (ARERA 289/2017, CHAIN2.md §5). */
export const Chain2Channel = { plcBandC: 'plc_band_c' } as const;
export type Chain2Channel = (typeof Chain2Channel)[keyof typeof Chain2Channel];

/** The association as stored; the DU key only as its last four digits (the sealed key never leaves storage). */
export interface Association {
  associationId: string;
  assetProviderId: string;
  pod: Pod;
  status: AssociationStatus;
  channel: Chain2Channel;
  du: {
    name: string;
    macAddress: MacAddress;
    keyLast4: string;
    hardwareVersion: string;
    softwareVersion: string;
  };
  createdAt: Date;
  updatedAt: Date;
}

const transitions: Record<AssociationStatus, readonly AssociationStatus[]> = {
  pending: [AssociationStatus.active, AssociationStatus.rejected],
  active: [AssociationStatus.deleted],
  rejected: [],
  deleted: [],
};

export function canMoveAssociation(from: AssociationStatus, to: AssociationStatus): boolean {
  return transitions[from].includes(to);
}

export function isLive(status: AssociationStatus): boolean {
  return LIVE_ASSOCIATION_STATUSES.includes(status);
}
