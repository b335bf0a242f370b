import { sql, type Kysely, type Selectable } from 'kysely';
import { QUOTA_DEFERRED } from '../domain/bulk-upload.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import { RequestStatus, type RequestKind, type RequestTransition, type ServiceRequest } from '../domain/request.js';
import type {
  DuChanges,
  FoundRequest,
  LockedRequest,
  NewRequest,
  RequestFilter,
  RequestSearch,
  RequestStore,
} from '../services/ports/index.js';
import type { Database, RequestsTable, StoredChanges } from './schema.js';
import { countsByStatus } from './counts.js';

const COLUMNS = [
  'request_id',
  'asset_provider_id',
  'association_id',
  'pod',
  'kind',
  'status',
  'reason',
  'created_at',
  'updated_at',
  'closed_at',
] as const;
type Row = Pick<Selectable<RequestsTable>, (typeof COLUMNS)[number]>;

function toFound(row: Row & { asset_provider_name: string; du_mac_address: string }): FoundRequest {
  return {
    ...toRequest(row),
    assetProviderName: row.asset_provider_name,
    macAddress: row.du_mac_address as MacAddress,
  };
}

function toRequest(row: Row): ServiceRequest {
  return {
    requestId: row.request_id,
    assetProviderId: row.asset_provider_id,
    associationId: row.association_id,
    pod: row.pod as Pod,
    kind: row.kind as RequestKind,
    status: row.status as RequestStatus,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
  };
}

function toDuChanges(stored: StoredChanges | null, sealedKey: Uint8Array | null): DuChanges | null {
  if (!stored) return null;
  const { macAddress, ...rest } = stored;
  return { ...rest, ...(macAddress && { macAddress: macAddress as MacAddress }), ...(sealedKey && { sealedKey }) };
}

export class SqlRequestStore implements RequestStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(request: NewRequest): Promise<void> {
    await this.insertMany([request]);
  }

  /** One statement per table over arrays (unnest), whatever the count: no per-row SQL, no parameter limit. */
  async insertMany(requests: readonly NewRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const column = <T>(pick: (r: NewRequest) => T) => requests.map(pick);
    const changes = column((r) => {
      if (!r.changes) return null;
      const { sealedKey: _sealed, ...clear } = r.changes;
      return JSON.stringify(clear satisfies StoredChanges);
    });
    const ids = column((r) => r.requestId);
    const at = column((r) => r.at);
    await sql`
      INSERT INTO requests (request_id, asset_provider_id, association_id, representative_id, pod, kind, status, reason,
        changes, changes_key_sealed, created_at, updated_at, closed_at, bulk_upload_id)
      SELECT id, ap, association, representative, pod, kind, 'submitted', NULL, changes, sealed, at, at, NULL, bulk
      FROM unnest(${ids}::uuid[], ${column((r) => r.assetProviderId)}::uuid[], ${column((r) => r.associationId)}::uuid[],
        ${column((r) => r.representativeId)}::uuid[], ${column((r) => r.pod)}::text[], ${column((r) => r.kind)}::text[],
        ${changes}::jsonb[], ${column((r) => (r.changes?.sealedKey ? Buffer.from(r.changes.sealedKey) : null))}::bytea[],
        ${at}::timestamptz[], ${column((r) => r.bulkUploadId ?? null)}::uuid[])
        AS t(id, ap, association, representative, pod, kind, changes, sealed, at, bulk)
    `.execute(this.db);
    await sql`
      INSERT INTO request_transitions (request_id, seq, status, reason, at)
      SELECT id, 1, 'submitted', NULL, at FROM unnest(${ids}::uuid[], ${at}::timestamptz[]) AS t(id, at)
    `.execute(this.db);
  }

  async findOwned(assetProviderId: string, requestId: string): Promise<ServiceRequest | undefined> {
    const row = await this.db
      .selectFrom('requests')
      .select(COLUMNS)
      .where('request_id', '=', requestId)
      .where('asset_provider_id', '=', assetProviderId)
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async findForUpdate(requestId: string): Promise<LockedRequest | undefined> {
    return (await this.findManyForUpdate([requestId]))[0];
  }

  async findManyForUpdate(requestIds: readonly string[]): Promise<LockedRequest[]> {
    if (requestIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('requests')
      .select([...COLUMNS, 'changes', 'changes_key_sealed', 'bulk_upload_id'])
      .where('request_id', '=', sql<string>`ANY(${[...requestIds]}::uuid[])`)
      .orderBy('request_id')
      .forUpdate()
      .execute();
    return rows.map((row) => ({
      ...toRequest(row),
      changes: toDuChanges(row.changes, row.changes_key_sealed),
      bulkUploadId: row.bulk_upload_id,
    }));
  }

  async history(requestId: string): Promise<RequestTransition[]> {
    const rows = await this.db
      .selectFrom('request_transitions')
      .select(['status', 'reason', 'at'])
      .where('request_id', '=', requestId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ status: r.status as RequestStatus, reason: r.reason, at: r.at }));
  }

  async list(filter: RequestFilter): Promise<ServiceRequest[]> {
    let query = this.db.selectFrom('requests').select(COLUMNS).where('asset_provider_id', '=', filter.assetProviderId);
    if (filter.statuses) query = query.where('status', 'in', filter.statuses);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.pod) query = query.where('pod', '=', filter.pod);
    if (filter.beforeId) query = query.where('request_id', '<', filter.beforeId);
    const rows = await query.orderBy('request_id', 'desc').limit(filter.limit).execute();
    return rows.map(toRequest);
  }

  async search(filter: RequestSearch): Promise<FoundRequest[]> {
    let query = this.foundQuery();
    if (filter.assetProviderId) query = query.where('r.asset_provider_id', '=', filter.assetProviderId);
    if (filter.macAddress) query = query.where('a.du_mac_address', '=', filter.macAddress);
    if (filter.statuses) query = query.where('r.status', 'in', filter.statuses);
    if (filter.kind) query = query.where('r.kind', '=', filter.kind);
    if (filter.pod) query = query.where('r.pod', '=', filter.pod);
    if (filter.beforeId) query = query.where('r.request_id', '<', filter.beforeId);
    const rows = await query.orderBy('r.request_id', 'desc').limit(filter.limit).execute();
    return rows.map(toFound);
  }

  async find(requestId: string): Promise<FoundRequest | undefined> {
    const row = await this.foundQuery().where('r.request_id', '=', requestId).executeTakeFirst();
    return row && toFound(row);
  }

  private foundQuery() {
    return this.db
      .selectFrom('requests as r')
      .innerJoin('associations as a', 'a.association_id', 'r.association_id')
      .innerJoin('asset_providers as p', 'p.asset_provider_id', 'r.asset_provider_id')
      .select([...COLUMNS.map((c) => `r.${c}` as const), 'p.name as asset_provider_name', 'a.du_mac_address']);
  }

  async countByStatus(assetProviderId: string): Promise<Record<RequestStatus, number>> {
    const rows = await this.db
      .selectFrom('requests')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('asset_provider_id', '=', assetProviderId)
      .groupBy('status')
      .execute();
    return countsByStatus(Object.values(RequestStatus), rows);
  }

  async hasOpenForAssociation(associationId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('requests')
      .select('request_id')
      .where('association_id', '=', associationId)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async claim(status: RequestStatus, limit: number, options: { waitingForQuota?: boolean } = {}): Promise<string[]> {
    let query = this.db
      .selectFrom('requests')
      .select('request_id')
      .where('status', '=', status)
      .where('closed_at', 'is', null);
    if (options.waitingForQuota === true) query = query.where('reason', '=', QUOTA_DEFERRED);
    if (options.waitingForQuota === false)
      query = query.where((eb) => eb('reason', 'is', null).or('reason', '<>', QUOTA_DEFERRED));
    const rows = await query.orderBy('request_id').limit(limit).forUpdate().skipLocked().execute();
    return rows.map((r) => r.request_id);
  }

  async setStatus(requestId: string, t: RequestTransition, closed: boolean): Promise<void> {
    await this.setStatusMany([{ ...t, requestId, closed }]);
  }

  async setStatusMany(moves: readonly (RequestTransition & { requestId: string; closed: boolean })[]): Promise<void> {
    if (moves.length === 0) return;
    const ids = moves.map((m) => m.requestId);
    const statuses = moves.map((m) => m.status);
    const reasons = moves.map((m) => m.reason);
    const ats = moves.map((m) => m.at);
    await sql`
      UPDATE requests r SET status = t.status, reason = t.reason, updated_at = t.at,
        closed_at = CASE WHEN t.closed THEN t.at END,
        taken_in_charge_at = CASE WHEN t.status = ${RequestStatus.takenInCharge} THEN t.at ELSE r.taken_in_charge_at END
      FROM unnest(${ids}::uuid[], ${statuses}::text[], ${reasons}::text[], ${ats}::timestamptz[], ${moves.map((m) => m.closed)}::bool[])
        AS t(id, status, reason, at, closed)
      WHERE r.request_id = t.id
    `.execute(this.db);
    await this.recordTransitions(moves);
  }

  async setReason(requestId: string, reason: string, at: Date): Promise<void> {
    const changed = await this.db
      .updateTable('requests')
      .set({ reason, updated_at: at })
      .where('request_id', '=', requestId)
      .where((eb) => eb('reason', 'is', null).or('reason', '<>', reason))
      .returning('status')
      .executeTakeFirst();
    if (changed) await this.recordTransitions([{ requestId, status: changed.status as RequestStatus, reason, at }]);
  }

  async countInFlight(): Promise<number> {
    const row = await this.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('closed_at', 'is', null)
      .where((eb) =>
        eb.or([eb('status', '<>', RequestStatus.queued), eb('reason', 'is', null), eb('reason', '<>', QUOTA_DEFERRED)]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async lockQuota(assetProviderId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`bulk-quota:${assetProviderId}`}, 0))`.execute(this.db);
  }

  async countBulkTakenInChargeSince(assetProviderId: string, since: Date): Promise<number> {
    const row = await this.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('asset_provider_id', '=', assetProviderId)
      .where('bulk_upload_id', 'is not', null)
      .where('taken_in_charge_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The caller holds the requests' row locks (findForUpdate), so no seq can be taken twice. One statement. */
  private async recordTransitions(moves: readonly (RequestTransition & { requestId: string })[]): Promise<void> {
    await sql`
      INSERT INTO request_transitions (request_id, seq, status, reason, at)
      SELECT t.id, coalesce((SELECT max(seq) FROM request_transitions x WHERE x.request_id = t.id), 0) + 1, t.status, t.reason, t.at
      FROM unnest(${moves.map((m) => m.requestId)}::uuid[], ${moves.map((m) => m.status)}::text[], ${moves.map((m) => m.reason)}::text[],
        ${moves.map((m) => m.at)}::timestamptz[]) AS t(id, status, reason, at)
    `.execute(this.db);
  }
}
