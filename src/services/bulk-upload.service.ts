import {
  countRows,
  refuseDuplicates,
  validateBulkRecord,
  type BulkCounts,
  type BulkReportRow,
} from '../domain/bulk-upload.js';
import { assessEligibility } from '../domain/eligibility.js';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import type { Pod } from '../domain/identifiers.js';
import { duModelKey } from '../domain/onboarding.js';
import { isOpen, type RequestStatus } from '../domain/request.js';
import type { UserDevice } from '../domain/user-device.js';
import type { AssociationService } from './association.service.js';
import { splitBulkCsv, type BulkLimits } from './bulk-csv.js';
import { decodeCursor, isUuid, pageSize, toPage, type Page } from './pagination.js';
import type { BulkUploadRecord, Clock, NewBulkUploadRow, NewId, RequestWorkflow, Storage } from './ports/index.js';
import type { Principal } from '../domain/caller.js';

export interface BulkUploadSummary extends BulkUploadRecord {
  /** `processing` while any of its requests is open, then `completed`. */
  status: 'processing' | 'completed';
  counts: BulkCounts;
}

export interface BulkUploadServiceDeps {
  storage: Storage;
  associations: AssociationService;
  ownDistributorCodes: readonly string[];
  clock: Clock;
  newId: NewId;
  workflow: RequestWorkflow;
  limits: BulkLimits;
}

/**
 * Bulk creation of associations from CSV (CHAIN2.md §3.5): every row validated and checked for eligibility at
 * once, the valid eligible rows become create requests in one transaction (all or nothing), each row reported.
 * The quota (100 taken in charge per 24 h) is applied later, when the workflow takes requests in charge.
 */
export class BulkUploadService {
  constructor(private readonly deps: BulkUploadServiceDeps) {}

  async upload(principal: Principal, bytes: Buffer, fileName: string | null): Promise<BulkUploadSummary> {
    const { storage, clock, newId } = this.deps;
    const records = splitBulkCsv(bytes, this.deps.limits);
    const validated = refuseDuplicates(records.map((r) => validateBulkRecord(r.fields, r.line)));
    const valid = validated.filter((r) => r.ok);
    const found = await storage.supplyPoints.findManyForEligibility(valid.map((r) => r.pod));
    const eligibility = new Map(
      valid.map((r, i) => [
        r.line,
        assessEligibility({ pod: r.pod, ...found[i]!, ownDistributorCodes: this.deps.ownDistributorCodes }),
      ]),
    );
    const liveMacs = await storage.associations.liveMacs(valid.map((r) => r.du.macAddress));
    const certified = await storage.onboarding.certifiedModels(principal.assetProviderId);

    const upload: BulkUploadRecord = {
      bulkUploadId: newId(),
      assetProviderId: principal.assetProviderId,
      fileName,
      rowCount: validated.length,
      createdAt: clock.now(),
    };
    const rows: NewBulkUploadRow[] = [];
    const accepted: { row: NewBulkUploadRow; pod: Pod; du: UserDevice }[] = [];
    for (const row of validated) {
      if (!row.ok) {
        rows.push({
          line: row.line,
          pod: row.pod,
          outcome: 'invalid',
          issues: row.issues,
          eligibility: null,
          requestId: null,
        });
        continue;
      }
      const verdict = eligibility.get(row.line)!;
      const checked = { eligible: verdict.eligible, reasons: verdict.reasons };
      if (!verdict.eligible) {
        rows.push({
          line: row.line,
          pod: row.pod,
          outcome: 'not_eligible',
          issues: [],
          eligibility: checked,
          requestId: null,
        });
      } else if (!certified.has(duModelKey(row.du.hardwareVersion, row.du.softwareVersion))) {
        rows.push({
          line: row.line,
          pod: row.pod,
          outcome: 'invalid',
          eligibility: checked,
          requestId: null,
          issues: [
            {
              field: 'VERSIONE_HW',
              code: DomainErrorCode.duModelNotCertified,
              message: `${row.du.hardwareVersion} / ${row.du.softwareVersion} is not a DU model certified for this asset provider`,
            },
          ],
        });
      } else if (liveMacs.has(row.du.macAddress)) {
        rows.push({
          line: row.line,
          pod: row.pod,
          outcome: 'invalid',
          eligibility: checked,
          requestId: null,
          issues: [
            {
              field: 'MAC_ADDRESS',
              code: DomainErrorCode.macInUse,
              message: 'MAC_ADDRESS is already in a live association',
            },
          ],
        });
      } else {
        const reportRow: NewBulkUploadRow = {
          line: row.line,
          pod: row.pod,
          outcome: 'request',
          issues: [],
          eligibility: checked,
          requestId: null,
        };
        rows.push(reportRow);
        accepted.push({ row: reportRow, pod: row.pod, du: row.du });
      }
    }
    const requestIds = await storage.transaction(async (tx) => {
      await tx.bulkUploads.insert({ ...upload, representativeId: principal.representativeId }, []);
      const ids = await this.deps.associations.insertNew(tx, principal, accepted, upload.bulkUploadId);
      accepted.forEach((a, i) => {
        a.row.requestId = ids[i]!;
      });
      await tx.bulkUploads.insertRows(upload.bulkUploadId, rows);
      return ids;
    });
    if (requestIds.length > 0) this.deps.workflow.wake();
    return this.summarise(upload, await storage.bulkUploads.rows(upload.bulkUploadId));
  }

  async get(principal: Principal, bulkUploadId: string): Promise<BulkUploadSummary & { rows: BulkReportRow[] }> {
    const upload = isUuid(bulkUploadId)
      ? await this.deps.storage.bulkUploads.findOwned(principal.assetProviderId, bulkUploadId)
      : undefined;
    if (!upload) throw new DomainError(DomainErrorCode.notFound, `Bulk upload ${bulkUploadId} not found`);
    const rows = await this.deps.storage.bulkUploads.rows(bulkUploadId);
    return { ...this.summarise(upload, rows), rows };
  }

  async list(principal: Principal, query: { cursor?: string; limit?: number }): Promise<Page<BulkUploadSummary>> {
    const limit = pageSize(query.limit);
    const uploads = await this.deps.storage.bulkUploads.list(principal.assetProviderId, {
      beforeId: decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const page = toPage(uploads, limit, (u) => u.bulkUploadId);
    const items = [];
    for (const upload of page.items)
      items.push(this.summarise(upload, await this.deps.storage.bulkUploads.rows(upload.bulkUploadId)));
    return { items, nextCursor: page.nextCursor };
  }

  private summarise(upload: BulkUploadRecord, rows: BulkReportRow[]): BulkUploadSummary {
    const open = rows.some((r) => r.requestId !== null && isOpen(r.status as RequestStatus));
    return { ...upload, status: open ? 'processing' : 'completed', counts: countRows(rows) };
  }
}
