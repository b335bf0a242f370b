import type { Kysely } from 'kysely';
import type { BulkReportRow, BulkRowOutcome } from '../domain/bulk-upload.js';
import type { IneligibilityReason } from '../domain/eligibility.js';
import type { RequestStatus } from '../domain/request.js';
import type { BulkUploadRecord, BulkUploadStore, NewBulkUploadRow, PageQuery } from '../services/ports/index.js';
import type { Database } from './schema.js';

const ROWS_PER_INSERT = 1000;

function toRecord(row: {
  bulk_upload_id: string;
  asset_provider_id: string;
  file_name: string | null;
  row_count: number;
  created_at: Date;
}): BulkUploadRecord {
  return {
    bulkUploadId: row.bulk_upload_id,
    assetProviderId: row.asset_provider_id,
    fileName: row.file_name,
    rowCount: row.row_count,
    createdAt: row.created_at,
  };
}

export class SqlBulkUploadStore implements BulkUploadStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(
    upload: BulkUploadRecord & { representativeId: string },
    rows: readonly NewBulkUploadRow[],
  ): Promise<void> {
    await this.db
      .insertInto('bulk_uploads')
      .values({
        bulk_upload_id: upload.bulkUploadId,
        asset_provider_id: upload.assetProviderId,
        representative_id: upload.representativeId,
        file_name: upload.fileName,
        row_count: upload.rowCount,
        created_at: upload.createdAt,
      })
      .execute();
    await this.insertRows(upload.bulkUploadId, rows);
  }

  async insertRows(bulkUploadId: string, rows: readonly NewBulkUploadRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await this.db
        .insertInto('bulk_upload_rows')
        .values(
          rows.slice(i, i + ROWS_PER_INSERT).map((r) => ({
            bulk_upload_id: bulkUploadId,
            line: r.line,
            pod: r.pod,
            outcome: r.outcome,
            issues: r.issues.length ? JSON.stringify(r.issues) : null,
            eligible: r.eligibility?.eligible ?? null,
            eligibility_reasons: r.eligibility?.reasons ?? null,
            request_id: r.requestId,
          })),
        )
        .execute();
    }
  }

  async findOwned(assetProviderId: string, bulkUploadId: string): Promise<BulkUploadRecord | undefined> {
    const row = await this.db
      .selectFrom('bulk_uploads')
      .selectAll()
      .where('bulk_upload_id', '=', bulkUploadId)
      .where('asset_provider_id', '=', assetProviderId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async rows(bulkUploadId: string): Promise<BulkReportRow[]> {
    const rows = await this.db
      .selectFrom('bulk_upload_rows as b')
      .leftJoin('requests as r', 'r.request_id', 'b.request_id')
      .select([
        'b.line',
        'b.pod',
        'b.outcome',
        'b.issues',
        'b.eligible',
        'b.eligibility_reasons',
        'b.request_id',
        'r.status',
        'r.reason',
      ])
      .where('b.bulk_upload_id', '=', bulkUploadId)
      .orderBy('b.line')
      .execute();
    return rows.map((r) => ({
      line: r.line,
      pod: r.pod,
      eligibility:
        r.eligible === null
          ? null
          : { eligible: r.eligible, reasons: (r.eligibility_reasons ?? []) as IneligibilityReason[] },
      status: (r.status ?? r.outcome) as BulkRowOutcome | RequestStatus,
      reason: r.reason ?? r.issues?.[0]?.code ?? (r.outcome === 'not_eligible' ? 'not_eligible' : null),
      issues: r.issues ?? [],
      requestId: r.request_id,
    }));
  }

  async list(assetProviderId: string, page: PageQuery): Promise<BulkUploadRecord[]> {
    let query = this.db.selectFrom('bulk_uploads').selectAll().where('asset_provider_id', '=', assetProviderId);
    if (page.beforeId) query = query.where('bulk_upload_id', '<', page.beforeId);
    return (await query.orderBy('bulk_upload_id', 'desc').limit(page.limit).execute()).map(toRecord);
  }
}
