/** Bulk uploads and their per-row report. */
import type { BulkReportRow, BulkRowOutcome } from '../../domain/bulk-upload.js';
import type { FieldIssue } from '../../domain/errors.js';
import type { PageQuery } from './stores.js';

export interface NewBulkUploadRow {
  line: number;
  pod: string;
  outcome: BulkRowOutcome;
  issues: FieldIssue[];
  eligibility: { eligible: boolean; reasons: string[] } | null;
  requestId: string | null;
}

export interface BulkUploadRecord {
  bulkUploadId: string;
  assetProviderId: string;
  fileName: string | null;
  rowCount: number;
  createdAt: Date;
}

export interface BulkUploadStore {
  insert(upload: BulkUploadRecord & { representativeId: string }, rows: readonly NewBulkUploadRow[]): Promise<void>;
  insertRows(bulkUploadId: string, rows: readonly NewBulkUploadRow[]): Promise<void>;
  findOwned(assetProviderId: string, bulkUploadId: string): Promise<BulkUploadRecord | undefined>;
  /** The rows in line order, each with the current status and reason of its request, if it has one. */
  rows(bulkUploadId: string): Promise<BulkReportRow[]>;
  list(assetProviderId: string, page: PageQuery): Promise<BulkUploadRecord[]>;
}
