import { AssociationStatus, canMoveAssociation } from '../domain/association.js';
import { hasQuotaLeft, QUOTA_DEFERRED, QUOTA_WINDOW_MS } from '../domain/bulk-upload.js';
import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors.js';
import { parseMacAddress } from '../domain/identifiers.js';
import {
  canMoveRequest,
  CLOSED_REQUEST_STATUSES,
  isOpen,
  needsReason,
  OPEN_REQUEST_STATUSES,
  RequestKind,
  RequestStatus,
  type RequestTransition,
  type ServiceRequest,
} from '../domain/request.js';
import { decodeCursor, isUuid, pageSize, podFilter, toPage, type Page } from './pagination.js';
import type { Clock, FoundRequest, LockedRequest, Storage, Stores } from './ports/index.js';
import type { Principal } from '../domain/caller.js';

function statusesOf(state: 'open' | 'closed' | undefined) {
  return state === 'open' ? OPEN_REQUEST_STATUSES : state === 'closed' ? CLOSED_REQUEST_STATUSES : undefined;
}

export interface RequestListQuery {
  state?: 'open' | 'closed';
  kind?: RequestKind;
  pod?: string;
  cursor?: string;
  limit?: number;
}

export type RequestWithHistory = ServiceRequest & { history: RequestTransition[] };

/** What happens to the association when its request reaches a final status. */
const associationOutcome: Record<RequestKind, Partial<Record<RequestStatus, AssociationStatus>>> = {
  create: {
    completed: AssociationStatus.active,
    rejected: AssociationStatus.rejected,
    failed: AssociationStatus.rejected,
  },
  modify: {},
  delete: { completed: AssociationStatus.deleted },
};

export class RequestService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Bulk associations an asset provider may have taken in charge per rolling 24 h, unless it has its own. */
    private readonly defaultBulkQuota: number,
  ) {}

  /**
   * Takes a queued request in charge, unless it came from a bulk upload whose asset provider has used its quota
   * in the last 24 h: then it stays queued with reason `quota_deferred` and a later sweep tries again. The quota
   * decision holds an advisory lock per asset provider, so concurrent workers cannot let one too many through.
   */
  async takeInCharge(stores: Stores, requestId: string): Promise<ServiceRequest> {
    const [taken] = await this.takeInChargeMany(stores, [requestId]);
    if (!taken) throw new Error(`request ${requestId} does not exist`);
    return taken;
  }

  /** The same for many queued requests, in id order: one quota decision per asset provider. */
  async takeInChargeMany(stores: Stores, requestIds: readonly string[]): Promise<ServiceRequest[]> {
    const locked = await stores.requests.findManyForUpdate(requestIds);
    // An asset provider suspended (or not active) since it asked: its requests are refused, not carried out.
    const inactive = new Set<string>();
    for (const assetProviderId of new Set(locked.map((r) => r.assetProviderId))) {
      if ((await stores.onboarding.find(assetProviderId))?.status !== 'active') inactive.add(assetProviderId);
    }
    const refused = await this.advanceMany(
      stores,
      locked
        .filter((r) => inactive.has(r.assetProviderId))
        .map((r) => ({
          requestId: r.requestId,
          to: RequestStatus.rejected,
          why: DomainErrorCode.assetProviderNotActive,
        })),
    );
    const requests = locked.filter((r) => !inactive.has(r.assetProviderId));
    const deferred = new Map<string, ServiceRequest>();
    const bulkByAssetProvider = new Map<string, LockedRequest[]>();
    for (const request of requests) {
      if (request.bulkUploadId)
        bulkByAssetProvider.set(request.assetProviderId, [
          ...(bulkByAssetProvider.get(request.assetProviderId) ?? []),
          request,
        ]);
    }
    const now = this.clock.now();
    for (const [assetProviderId, bulk] of [...bulkByAssetProvider].sort(([a], [b]) => a.localeCompare(b))) {
      await stores.requests.lockQuota(assetProviderId);
      const used = await stores.requests.countBulkTakenInChargeSince(
        assetProviderId,
        new Date(now.getTime() - QUOTA_WINDOW_MS),
      );
      const limit = (await stores.participants.bulkQuotaOf(assetProviderId)) ?? this.defaultBulkQuota;
      for (const [index, request] of bulk.entries()) {
        if (hasQuotaLeft(used + index, limit)) continue;
        if (request.reason !== QUOTA_DEFERRED) await stores.requests.setReason(request.requestId, QUOTA_DEFERRED, now);
        deferred.set(request.requestId, { ...request, reason: QUOTA_DEFERRED });
      }
    }
    const taken = await this.advanceMany(
      stores,
      requests
        .filter((r) => !deferred.has(r.requestId))
        .map((r) => ({ requestId: r.requestId, to: RequestStatus.takenInCharge })),
    );
    const byId = new Map([...taken, ...refused].map((r) => [r.requestId, r]));
    return locked.map((r) => deferred.get(r.requestId) ?? byId.get(r.requestId)!);
  }

  async list(principal: Principal, query: RequestListQuery): Promise<Page<ServiceRequest>> {
    const limit = pageSize(query.limit);
    const rows = await this.storage.requests.list({
      assetProviderId: principal.assetProviderId,
      statuses: statusesOf(query.state),
      kind: query.kind,
      pod: podFilter(query.pod),
      beforeId: decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return toPage(rows, limit, (r) => r.requestId);
  }

  /** The dashboard: associations and requests by status, and the bulk quota. */
  async summary(principal: Principal) {
    const [associations, requests, bulkQuota] = await Promise.all([
      this.storage.associations.countByStatus(principal.assetProviderId),
      this.storage.requests.countByStatus(principal.assetProviderId),
      this.quota(principal),
    ]);
    return { associations, requests, bulkQuota };
  }

  /** Bulk requests taken in charge in the rolling 24 h, out of the asset provider's quota. */
  async quota(principal: Principal): Promise<{ used: number; limit: number; windowHours: number }> {
    const since = new Date(this.clock.now().getTime() - QUOTA_WINDOW_MS);
    const [used, own] = await Promise.all([
      this.storage.requests.countBulkTakenInChargeSince(principal.assetProviderId, since),
      this.storage.participants.bulkQuotaOf(principal.assetProviderId),
    ]);
    return { used, limit: own ?? this.defaultBulkQuota, windowHours: QUOTA_WINDOW_MS / 3_600_000 };
  }

  /** The DSO's search across every asset provider (customer care), newest first. */
  async search(query: RequestListQuery & { assetProviderId?: string; mac?: string }): Promise<Page<FoundRequest>> {
    const limit = pageSize(query.limit);
    const mac = query.mac ? parseMacAddress(query.mac, 'mac') : undefined;
    if (mac && !mac.ok) throw invalidInput([mac.issue]);
    if (query.assetProviderId && !isUuid(query.assetProviderId)) {
      throw invalidInput([
        { field: 'assetProviderId', code: 'invalid_id', message: "assetProviderId must be an asset provider's id" },
      ]);
    }
    const rows = await this.storage.requests.search({
      assetProviderId: query.assetProviderId,
      macAddress: mac?.value,
      statuses: statusesOf(query.state),
      kind: query.kind,
      pod: podFilter(query.pod),
      beforeId: decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return toPage(rows, limit, (r) => r.requestId);
  }

  async find(requestId: string): Promise<FoundRequest & { history: RequestTransition[] }> {
    const request = isUuid(requestId) ? await this.storage.requests.find(requestId) : undefined;
    if (!request) throw new DomainError(DomainErrorCode.notFound, `Request ${requestId} not found`);
    return { ...request, history: await this.storage.requests.history(requestId) };
  }

  async get(principal: Principal, requestId: string): Promise<RequestWithHistory> {
    const request = isUuid(requestId)
      ? await this.storage.requests.findOwned(principal.assetProviderId, requestId)
      : undefined;
    if (!request) throw new DomainError(DomainErrorCode.notFound, `Request ${requestId} not found`);
    return { ...request, history: await this.storage.requests.history(requestId) };
  }

  /**
   * Moves a request on, inside the caller's transaction, and applies the outcome to its association:
   * a completed create activates it, a completed delete ends it, a completed modify applies the DU changes.
   * Used by the request workflow; refuses a move the state machine does not allow (a defect).
   */
  async advance(
    stores: Stores,
    requestId: string,
    to: RequestStatus,
    why: string | null = null,
  ): Promise<ServiceRequest> {
    const [moved] = await this.advanceMany(stores, [{ requestId, to, why }]);
    if (!moved) throw new Error(`request ${requestId} does not exist`);
    return moved;
  }

  /**
   * The same for many requests, set-based: a few statements whatever the count (the workflow moves jobs in batches).
   * Their associations move with them; `meterAt`: when the meter acknowledged (the head-end's clock, the meters' own —
   * simulated time with an in-process field network), on which an association's activity is kept.
   */
  async advanceMany(
    stores: Stores,
    moves: readonly { requestId: string; to: RequestStatus; why?: string | null; meterAt?: Date }[],
  ): Promise<ServiceRequest[]> {
    if (moves.length === 0) return [];
    const requests = new Map(
      (await stores.requests.findManyForUpdate(moves.map((m) => m.requestId))).map((r) => [r.requestId, r]),
    );
    const at = this.clock.now();
    const transitions: (RequestTransition & { requestId: string; closed: boolean })[] = [];
    const associationMoves: { associationId: string; status: AssociationStatus; meterAt?: Date }[] = [];
    const moved: ServiceRequest[] = [];
    for (const move of moves) {
      const request = requests.get(move.requestId);
      if (!request) throw new Error(`request ${move.requestId} does not exist`);
      let [status, reason] = [move.to, move.why ?? null];
      // A new MAC address taken by another live association since the request was accepted: refuse, never clash.
      const newMac = request.kind === RequestKind.modify ? request.changes?.macAddress : undefined;
      if (
        status === RequestStatus.completed &&
        newMac &&
        (await stores.associations.isMacLive(newMac, request.associationId))
      ) {
        [status, reason] = [RequestStatus.rejected, DomainErrorCode.macInUse];
      }
      if (!canMoveRequest(request.status, status))
        throw new Error(`request ${request.requestId} cannot move from ${request.status} to ${status}`);
      if (needsReason(status) !== (reason !== null))
        throw new Error(`status ${status} ${reason ? 'takes no' : 'needs a'} reason`);
      if (request.kind === RequestKind.modify && status === RequestStatus.completed && request.changes) {
        await stores.associations.applyChanges(request.associationId, request.changes, at);
      }
      const associationStatus = associationOutcome[request.kind][status];
      if (associationStatus)
        associationMoves.push({
          associationId: request.associationId,
          status: associationStatus,
          meterAt: move.meterAt,
        });
      const closed = !isOpen(status);
      transitions.push({ requestId: request.requestId, status, reason, at, closed });
      moved.push({ ...request, status, reason, updatedAt: at, closedAt: closed ? at : null });
    }
    if (associationMoves.length > 0) {
      const associations = await stores.associations.findMany(associationMoves.map((m) => m.associationId));
      for (const { associationId, status } of associationMoves) {
        const association = associations.get(associationId);
        if (!association || !canMoveAssociation(association.status, status)) {
          throw new Error(`association ${associationId} cannot move from ${association?.status} to ${status}`);
        }
      }
      await stores.associations.setStatusMany(associationMoves, at);
    }
    await stores.requests.setStatusMany(transitions);
    return moved;
  }
}
