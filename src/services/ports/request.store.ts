/** Requests and their history. */
import type { MacAddress, Pod } from '../../domain/identifiers.js';
import type { RequestKind, RequestStatus, RequestTransition, ServiceRequest } from '../../domain/request.js';
import type { DuChanges } from './association.store.js';
import type { PageQuery } from './stores.js';

export interface NewRequest {
  requestId: string;
  assetProviderId: string;
  associationId: string;
  representativeId: string;
  pod: Pod;
  kind: RequestKind;
  changes?: DuChanges;
  /** Set for the requests of a bulk upload: they count against the bulk quota. */
  bulkUploadId?: string;
  at: Date;
}

export interface RequestFilter extends PageQuery {
  assetProviderId: string;
  statuses?: readonly RequestStatus[];
  kind?: RequestKind;
  pod?: Pod;
}

/** The DSO's search across asset providers. */
export interface RequestSearch extends Omit<RequestFilter, 'assetProviderId'> {
  assetProviderId?: string;
  macAddress?: MacAddress;
}

/** A request as the DSO sees it: with its asset provider's name and its DU's MAC address. */
export type FoundRequest = ServiceRequest & { assetProviderName: string; macAddress: MacAddress };

/** A request read under its row lock, with what the workflow needs beyond its public fields. */
export type LockedRequest = ServiceRequest & { changes: DuChanges | null; bulkUploadId: string | null };

export interface RequestStore {
  insert(request: NewRequest): Promise<void>;
  /** The same for many, set-based (bulk uploads). */
  insertMany(requests: readonly NewRequest[]): Promise<void>;
  findOwned(assetProviderId: string, requestId: string): Promise<ServiceRequest | undefined>;
  /** Locks the request row for the rest of the transaction. */
  findForUpdate(requestId: string): Promise<LockedRequest | undefined>;
  /** The same for many, locked in id order (so two workers locking overlapping sets cannot deadlock). */
  findManyForUpdate(requestIds: readonly string[]): Promise<LockedRequest[]>;
  history(requestId: string): Promise<RequestTransition[]>;
  list(filter: RequestFilter): Promise<ServiceRequest[]>;
  search(filter: RequestSearch): Promise<FoundRequest[]>;
  find(requestId: string): Promise<FoundRequest | undefined>;
  /** The asset provider's requests by status (every status present, 0 when none). */
  countByStatus(assetProviderId: string): Promise<Record<RequestStatus, number>>;
  hasOpenForAssociation(associationId: string): Promise<boolean>;
  /** Ids of the oldest requests in `status`, locked and skipped by concurrent claimers (FOR UPDATE SKIP LOCKED). */
  /** `waiting`: only requests deferred by the bulk quota (true) or only the others (false); default any. */
  claim(status: RequestStatus, limit: number, options?: { waitingForQuota?: boolean }): Promise<string[]>;
  setStatus(requestId: string, transition: RequestTransition, closed: boolean): Promise<void>;
  /** The same for many, set-based (one statement per table); the caller holds the rows' locks. */
  setStatusMany(moves: readonly (RequestTransition & { requestId: string; closed: boolean })[]): Promise<void>;
  /** A reason on a request that keeps its status (e.g. queued, quota_deferred); recorded in the history once. */
  setReason(requestId: string, reason: string, at: Date): Promise<void>;
  /** Requests a workflow still has to move: submitted, taken in charge, or queued and not waiting for the quota. */
  countInFlight(): Promise<number>;
  /** Serialises quota decisions of one asset provider across transactions and processes (an advisory lock). */
  lockQuota(assetProviderId: string): Promise<void>;
  countBulkTakenInChargeSince(assetProviderId: string, since: Date): Promise<number>;
}
