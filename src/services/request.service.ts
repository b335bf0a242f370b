import { AssociationStatus, canMoveAssociation } from '../domain/association.js';
import { hasQuotaLeft, QUOTA_DEFERRED, QUOTA_WINDOW_MS } from '../domain/bulk-upload.js';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import {
  canMoveRequest, CLOSED_REQUEST_STATUSES, isOpen, needsReason, OPEN_REQUEST_STATUSES, RequestKind, RequestStatus,
  type RequestTransition, type ServiceRequest,
} from '../domain/request.js';
import { decodeCursor, isUuid, pageSize, podFilter, toPage, type Page } from './pagination.js';
import type { Clock, Principal, Storage, Stores } from './ports.js';

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
  create: { completed: AssociationStatus.active, rejected: AssociationStatus.rejected, failed: AssociationStatus.rejected },
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
    const request = await stores.requests.findForUpdate(requestId);
    if (!request) throw new Error(`request ${requestId} does not exist`);
    if (request.bulkUploadId) {
      await stores.requests.lockQuota(request.assetProviderId);
      const now = this.clock.now();
      const used = await stores.requests.countBulkTakenInChargeSince(request.assetProviderId, new Date(now.getTime() - QUOTA_WINDOW_MS));
      const limit = (await stores.participants.bulkQuotaOf(request.assetProviderId)) ?? this.defaultBulkQuota;
      if (!hasQuotaLeft(used, limit)) {
        await stores.requests.setReason(requestId, QUOTA_DEFERRED, now);
        return { ...request, reason: QUOTA_DEFERRED };
      }
    }
    return this.advance(stores, requestId, RequestStatus.takenInCharge);
  }

  async list(principal: Principal, query: RequestListQuery): Promise<Page<ServiceRequest>> {
    const limit = pageSize(query.limit);
    const statuses = query.state === 'open' ? OPEN_REQUEST_STATUSES : query.state === 'closed' ? CLOSED_REQUEST_STATUSES : undefined;
    const rows = await this.storage.requests.list({
      assetProviderId: principal.assetProviderId,
      statuses, kind: query.kind, pod: podFilter(query.pod),
      beforeId: decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return toPage(rows, limit, (r) => r.requestId);
  }

  async get(principal: Principal, requestId: string): Promise<RequestWithHistory> {
    const request = isUuid(requestId) ? await this.storage.requests.findOwned(principal.assetProviderId, requestId) : undefined;
    if (!request) throw new DomainError(DomainErrorCode.notFound, `Request ${requestId} not found`);
    return { ...request, history: await this.storage.requests.history(requestId) };
  }

  /**
   * Moves a request on, inside the caller's transaction, and applies the outcome to its association:
   * a completed create activates it, a completed delete ends it, a completed modify applies the DU changes.
   * Used by the request workflow; refuses a move the state machine does not allow (a defect).
   */
  async advance(stores: Stores, requestId: string, to: RequestStatus, why: string | null = null): Promise<ServiceRequest> {
    const request = await stores.requests.findForUpdate(requestId);
    let [status, reason] = [to, why];
    // A new MAC address taken by another live association since the request was accepted: refuse, never clash.
    const newMac = request?.kind === RequestKind.modify ? request.changes?.macAddress : undefined;
    if (status === RequestStatus.completed && newMac && await stores.associations.isMacLive(newMac, request?.associationId)) {
      [status, reason] = [RequestStatus.rejected, DomainErrorCode.macInUse];
    }
    if (!request) throw new Error(`request ${requestId} does not exist`);
    if (!canMoveRequest(request.status, status)) throw new Error(`request ${requestId} cannot move from ${request.status} to ${status}`);
    if (needsReason(status) !== (reason !== null)) throw new Error(`status ${status} ${reason ? 'takes no' : 'needs a'} reason`);
    const at = this.clock.now();
    if (request.kind === RequestKind.modify && status === RequestStatus.completed && request.changes) {
      await stores.associations.applyChanges(request.associationId, request.changes, at);
    }
    const associationStatus = associationOutcome[request.kind][status];
    if (associationStatus) {
      const association = await stores.associations.find(request.associationId);
      if (!association || !canMoveAssociation(association.status, associationStatus)) {
        throw new Error(`association ${request.associationId} cannot move from ${association?.status} to ${associationStatus}`);
      }
      await stores.associations.setStatus(request.associationId, associationStatus, at);
    }
    const closed = !isOpen(status);
    await stores.requests.setStatus(requestId, { status, reason, at }, closed);
    return { ...request, status, reason, updatedAt: at, closedAt: closed ? at : null };
  }
}
