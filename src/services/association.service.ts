import { Chain2Channel, isLive, type Association, type AssociationStatus } from '../domain/association.js';
import { IneligibilityReason } from '../domain/eligibility.js';
import { DomainError, DomainErrorCode, invalidInput, type FieldIssue } from '../domain/errors.js';
import { parsePod, type Pod } from '../domain/identifiers.js';
import { duModelKey, notCertified } from '../domain/onboarding.js';
import { RequestKind, RequestStatus, type ServiceRequest } from '../domain/request.js';
import {
  parseUserDevice,
  parseUserDeviceChanges,
  type UserDevice,
  type UserDeviceChanges,
} from '../domain/user-device.js';
import type { EligibilityService } from './eligibility.service.js';
import { decodeCursor, isUuid, pageSize, podFilter, toPage, type Page } from './pagination.js';
import type { Clock, DuChanges, NewId, RequestWorkflow, SecretBox, Storage, Stores } from './ports/index.js';
import type { Principal } from '../domain/caller.js';

export interface AssociationListQuery {
  pod?: string;
  status?: AssociationStatus;
  cursor?: string;
  limit?: number;
}

export interface AssociationServiceDeps {
  storage: Storage;
  eligibility: EligibilityService;
  secretBox: SecretBox;
  clock: Clock;
  newId: NewId;
  workflow: RequestWorkflow;
}

/**
 * Create, modify and delete POD–DU associations. Each change is recorded as a request in status `submitted`
 * and handed to the request workflow after commit; nothing reaches the meter from here.
 */
export class AssociationService {
  constructor(private readonly deps: AssociationServiceDeps) {}

  async create(
    principal: Principal,
    input: { pod?: unknown; du?: unknown },
  ): Promise<{ association: Association; request: ServiceRequest }> {
    const issues: FieldIssue[] = [];
    const pod = parsePod(input.pod);
    if (!pod.ok) issues.push(pod.issue);
    const du = parseUserDevice(input.du, issues);
    if (!pod.ok || !du) throw invalidInput(issues);
    await requireCertified(this.deps.storage, principal, du.hardwareVersion, du.softwareVersion);

    const result = await this.deps.storage.transaction(async (tx) => {
      const eligibility = await this.deps.eligibility.assess(tx.supplyPoints, pod.value);
      const otherReasons = eligibility.reasons.filter((r) => r !== IneligibilityReason.alreadyAssociated);
      if (otherReasons.length > 0) {
        throw new DomainError(DomainErrorCode.notEligible, `Supply point ${pod.value} is not eligible for Chain 2`, {
          reasons: eligibility.reasons,
        });
      }
      if (eligibility.reasons.length > 0) throw alreadyAssociated(pod.value);
      if (await tx.associations.isMacLive(du.macAddress)) throw macInUse();
      const [requestId] = await this.insertNew(tx, principal, [{ pod: pod.value, du }]);
      const request = await tx.requests.findOwned(principal.assetProviderId, requestId!);
      const association = request && (await tx.associations.find(request.associationId));
      if (!request || !association) throw new Error(`request ${requestId} vanished inside its own transaction`);
      return { association, request };
    });
    this.deps.workflow.wake();
    return result;
  }

  /**
   * Inserts pending associations and their create requests inside the caller's transaction, set-based, for inputs
   * already validated and found eligible. The unique indexes refuse a POD or MAC taken meanwhile by a concurrent
   * request (already_associated / mac_in_use), so no race lets two through. The caller tells the workflow after
   * commit. Returns the request ids in input order.
   */
  async insertNew(
    tx: Stores,
    principal: Principal,
    items: readonly { pod: Pod; du: UserDevice }[],
    bulkUploadId?: string,
  ): Promise<string[]> {
    const at = this.deps.clock.now();
    const associations = items.map(({ pod, du }) => {
      const { encryptionKey, ...fields } = du;
      return {
        associationId: this.deps.newId(),
        assetProviderId: principal.assetProviderId,
        pod,
        channel: Chain2Channel.plcBandC,
        du: fields,
        sealedKey: this.deps.secretBox.seal(encryptionKey),
        keyLast4: encryptionKey.slice(-4),
        at,
      };
    });
    await tx.associations.insertMany(associations);
    const requests = associations.map((a) => ({
      requestId: this.deps.newId(),
      assetProviderId: principal.assetProviderId,
      associationId: a.associationId,
      representativeId: principal.representativeId,
      pod: a.pod,
      kind: RequestKind.create,
      bulkUploadId,
      at,
    }));
    await tx.requests.insertMany(requests);
    return requests.map((r) => r.requestId);
  }

  async modify(principal: Principal, associationId: string, input: { du?: unknown }): Promise<ServiceRequest> {
    const changes = parseUserDeviceChanges(input.du);
    const request = await this.deps.storage.transaction(async (tx) => {
      const association = await this.findChangeable(tx, principal, associationId);
      if (changes.hardwareVersion || changes.softwareVersion) {
        await requireCertified(
          tx,
          principal,
          changes.hardwareVersion ?? association.du.hardwareVersion,
          changes.softwareVersion ?? association.du.softwareVersion,
          changes.hardwareVersion ? 'du.hardwareVersion' : 'du.softwareVersion',
        );
      }
      if (changes.macAddress && (await tx.associations.isMacLive(changes.macAddress, associationId))) throw macInUse();
      return this.insertRequest(tx, principal, associationId, association.pod, RequestKind.modify, this.seal(changes));
    });
    this.deps.workflow.wake();
    return request;
  }

  async remove(principal: Principal, associationId: string): Promise<ServiceRequest> {
    const request = await this.deps.storage.transaction(async (tx) => {
      const association = await this.findChangeable(tx, principal, associationId);
      return this.insertRequest(tx, principal, associationId, association.pod, RequestKind.delete);
    });
    this.deps.workflow.wake();
    return request;
  }

  async get(principal: Principal, associationId: string): Promise<Association> {
    const association = isUuid(associationId)
      ? await this.deps.storage.associations.findOwned(principal.assetProviderId, associationId)
      : undefined;
    if (!association) throw notFound(associationId);
    return association;
  }

  async list(principal: Principal, query: AssociationListQuery): Promise<Page<Association>> {
    const limit = pageSize(query.limit);
    const rows = await this.deps.storage.associations.list({
      assetProviderId: principal.assetProviderId,
      pod: podFilter(query.pod),
      status: query.status,
      beforeId: decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return toPage(rows, limit, (a) => a.associationId);
  }

  /** Only the owner's live association, with no other request open on it, can be changed. */
  private async findChangeable(tx: Stores, principal: Principal, associationId: string): Promise<Association> {
    const association = isUuid(associationId)
      ? await tx.associations.findOwned(principal.assetProviderId, associationId)
      : undefined;
    if (!association) throw notFound(associationId);
    if (!isLive(association.status)) {
      throw new DomainError(
        DomainErrorCode.conflict,
        `Association ${associationId} is ${association.status} and can no longer change`,
      );
    }
    if (await tx.requests.hasOpenForAssociation(associationId)) {
      throw new DomainError(
        DomainErrorCode.requestInProgress,
        `Association ${associationId} already has a request in progress; wait for it to end`,
      );
    }
    return association;
  }

  private seal(changes: UserDeviceChanges): DuChanges {
    const { encryptionKey, ...fields } = changes;
    if (!encryptionKey) return fields;
    return { ...fields, sealedKey: this.deps.secretBox.seal(encryptionKey), keyLast4: encryptionKey.slice(-4) };
  }

  private async insertRequest(
    tx: Stores,
    principal: Principal,
    associationId: string,
    pod: Pod,
    kind: RequestKind,
    changes?: DuChanges,
  ): Promise<ServiceRequest> {
    const at = this.deps.clock.now();
    const requestId = this.deps.newId();
    await tx.requests.insert({
      requestId,
      assetProviderId: principal.assetProviderId,
      associationId,
      representativeId: principal.representativeId,
      pod,
      kind,
      changes,
      at,
    });
    return {
      requestId,
      assetProviderId: principal.assetProviderId,
      associationId,
      pod,
      kind,
      status: RequestStatus.submitted,
      reason: null,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    };
  }
}

/** A DU model (hardware + software version) is accepted only once certified for this asset provider. */
async function requireCertified(
  stores: Stores,
  principal: Principal,
  hardwareVersion: string,
  softwareVersion: string,
  field?: string,
): Promise<void> {
  const certified = await stores.onboarding.certifiedModels(principal.assetProviderId);
  if (!certified.has(duModelKey(hardwareVersion, softwareVersion)))
    throw notCertified(hardwareVersion, softwareVersion, field);
}

function notFound(associationId: string): DomainError {
  return new DomainError(DomainErrorCode.notFound, `Association ${associationId} not found`);
}
export function alreadyAssociated(pod: string): DomainError {
  return new DomainError(DomainErrorCode.alreadyAssociated, `Supply point ${pod} already has a live association`);
}
export function macInUse(): DomainError {
  return new DomainError(DomainErrorCode.macInUse, 'This DU MAC address is already in a live association');
}
