import type { Pod } from './identifiers.js';

/** What an asset provider asked for; each is processed asynchronously by the request workflow. */
export const RequestKind = { create: 'create', modify: 'modify', delete: 'delete' } as const;
export type RequestKind = (typeof RequestKind)[keyof typeof RequestKind];

export const RequestStatus = {
  submitted: 'submitted',
  queued: 'queued',
  takenInCharge: 'taken_in_charge',
  completed: 'completed',
  rejected: 'rejected',
  failed: 'failed',
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

export const OPEN_REQUEST_STATUSES: readonly RequestStatus[] = [
  RequestStatus.submitted,
  RequestStatus.queued,
  RequestStatus.takenInCharge,
];
export const CLOSED_REQUEST_STATUSES: readonly RequestStatus[] = [
  RequestStatus.completed,
  RequestStatus.rejected,
  RequestStatus.failed,
];

const transitions: Record<RequestStatus, readonly RequestStatus[]> = {
  submitted: [RequestStatus.queued, RequestStatus.rejected],
  queued: [RequestStatus.takenInCharge, RequestStatus.rejected, RequestStatus.failed],
  taken_in_charge: [RequestStatus.completed, RequestStatus.rejected, RequestStatus.failed],
  completed: [],
  rejected: [],
  failed: [],
};

export function canMoveRequest(from: RequestStatus, to: RequestStatus): boolean {
  return transitions[from].includes(to);
}

export function isOpen(status: RequestStatus): boolean {
  return OPEN_REQUEST_STATUSES.includes(status);
}

/** A refusal or failure always carries a reason code (snake_case, stable). */
export function needsReason(status: RequestStatus): boolean {
  return status === RequestStatus.rejected || status === RequestStatus.failed;
}

export interface RequestTransition {
  status: RequestStatus;
  reason: string | null;
  at: Date;
}

export interface ServiceRequest {
  requestId: string;
  assetProviderId: string;
  associationId: string;
  pod: Pod;
  kind: RequestKind;
  status: RequestStatus;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}
