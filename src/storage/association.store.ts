import { sql, type Kysely, type Selectable } from 'kysely';
import {
  AssociationStatus,
  LIVE_ASSOCIATION_STATUSES,
  type Association,
  type Chain2Channel,
} from '../domain/association.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import type { AssociationFilter, AssociationStore, DuChanges, NewAssociation } from '../services/ports/index.js';
import type { SupplyPoint } from '../domain/eligibility.js';
import { translateUniqueViolation } from './errors.js';
import { toSupplyPoint } from './supply-point.store.js';
import type { AssociationsTable, Database } from './schema.js';
import { countsByStatus } from './counts.js';

const PUBLIC_COLUMNS = [
  'association_id',
  'asset_provider_id',
  'pod',
  'status',
  'channel',
  'du_name',
  'du_mac_address',
  'du_key_last4',
  'du_hardware_version',
  'du_software_version',
  'created_at',
  'updated_at',
] as const;
type PublicRow = Pick<Selectable<AssociationsTable>, (typeof PUBLIC_COLUMNS)[number]>;

function toAssociation(row: PublicRow): Association {
  return {
    associationId: row.association_id,
    assetProviderId: row.asset_provider_id,
    pod: row.pod as Pod,
    status: row.status as AssociationStatus,
    channel: row.channel as Chain2Channel,
    du: {
      name: row.du_name,
      macAddress: row.du_mac_address as MacAddress,
      keyLast4: row.du_key_last4,
      hardwareVersion: row.du_hardware_version,
      softwareVersion: row.du_software_version,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SqlAssociationStore implements AssociationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(association: NewAssociation): Promise<void> {
    await this.insertMany([association]);
  }

  /** One statement over arrays (unnest), whatever the count: no per-row SQL, no parameter limit. */
  async insertMany(associations: readonly NewAssociation[]): Promise<void> {
    if (associations.length === 0) return;
    const column = <T>(pick: (a: NewAssociation) => T) => associations.map(pick);
    try {
      await sql`
        INSERT INTO associations (association_id, asset_provider_id, pod, status, channel, du_name, du_mac_address,
          du_key_sealed, du_key_last4, du_hardware_version, du_software_version, created_at, updated_at)
        SELECT id, ap, pod, 'pending', channel, name, mac, sealed, last4, hw, sw, at, at
        FROM unnest(${column((a) => a.associationId)}::uuid[], ${column((a) => a.assetProviderId)}::uuid[],
          ${column((a) => a.pod)}::text[], ${column((a) => a.channel)}::text[], ${column((a) => a.du.name)}::text[],
          ${column((a) => a.du.macAddress)}::text[], ${column((a) => Buffer.from(a.sealedKey))}::bytea[],
          ${column((a) => a.keyLast4)}::text[], ${column((a) => a.du.hardwareVersion)}::text[],
          ${column((a) => a.du.softwareVersion)}::text[], ${column((a) => a.at)}::timestamptz[])
          AS t(id, ap, pod, channel, name, mac, sealed, last4, hw, sw, at)
      `.execute(this.db);
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async findOwned(assetProviderId: string, associationId: string): Promise<Association | undefined> {
    const row = await this.db
      .selectFrom('associations')
      .select(PUBLIC_COLUMNS)
      .where('association_id', '=', associationId)
      .where('asset_provider_id', '=', assetProviderId)
      .executeTakeFirst();
    return row && toAssociation(row);
  }

  async find(associationId: string): Promise<Association | undefined> {
    const row = await this.db
      .selectFrom('associations')
      .select(PUBLIC_COLUMNS)
      .where('association_id', '=', associationId)
      .executeTakeFirst();
    return row && toAssociation(row);
  }

  async isMacLive(macAddress: MacAddress, exceptAssociationId?: string): Promise<boolean> {
    let query = this.db
      .selectFrom('associations')
      .select('association_id')
      .where('du_mac_address', '=', macAddress)
      .where('status', 'in', LIVE_ASSOCIATION_STATUSES);
    if (exceptAssociationId) query = query.where('association_id', '<>', exceptAssociationId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async sealedKeyOf(associationId: string): Promise<Uint8Array | undefined> {
    const row = await this.db
      .selectFrom('associations')
      .select('du_key_sealed')
      .where('association_id', '=', associationId)
      .executeTakeFirst();
    return row?.du_key_sealed;
  }

  async activeChain2Configurations(): Promise<{ site: SupplyPoint; macAddress: MacAddress; sealedKey: Uint8Array }[]> {
    const rows = await this.db
      .selectFrom('associations as a')
      .innerJoin('supply_points as s', 's.pod', 'a.pod')
      .select(['a.du_mac_address', 'a.du_key_sealed'])
      .selectAll('s')
      .where('a.status', '=', AssociationStatus.active)
      .orderBy('a.pod')
      .execute();
    return rows.map((r) => ({
      site: toSupplyPoint(r),
      macAddress: r.du_mac_address as MacAddress,
      sealedKey: r.du_key_sealed,
    }));
  }

  async liveMacs(macAddresses: readonly MacAddress[]): Promise<Set<string>> {
    if (macAddresses.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('associations')
      .select('du_mac_address')
      .where('du_mac_address', '=', sql<string>`ANY(${[...macAddresses]}::text[])`)
      .where('status', 'in', LIVE_ASSOCIATION_STATUSES)
      .execute();
    return new Set(rows.map((r) => r.du_mac_address));
  }

  async list(filter: AssociationFilter): Promise<Association[]> {
    let query = this.db
      .selectFrom('associations')
      .select(PUBLIC_COLUMNS)
      .where('asset_provider_id', '=', filter.assetProviderId);
    if (filter.pod) query = query.where('pod', '=', filter.pod);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('association_id', '<', filter.beforeId);
    const rows = await query.orderBy('association_id', 'desc').limit(filter.limit).execute();
    return rows.map(toAssociation);
  }

  async countByStatus(assetProviderId: string): Promise<Record<AssociationStatus, number>> {
    const rows = await this.db
      .selectFrom('associations')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('asset_provider_id', '=', assetProviderId)
      .groupBy('status')
      .execute();
    return countsByStatus(Object.values(AssociationStatus), rows);
  }

  async setStatus(associationId: string, status: AssociationStatus, at: Date): Promise<void> {
    await this.setStatusMany([{ associationId, status }], at);
  }

  /**
   * Moving to active or deleted also records when, on the meters' clock (the monitoring's expected days): `meterAt`,
   * the head-end's acknowledgement, when the caller has it; else `at`, which is the meters' clock only when the
   * platform's clock is (a real head-end in real time), not with an accelerated in-process field network.
   */
  async setStatusMany(
    moves: readonly { associationId: string; status: AssociationStatus; meterAt?: Date }[],
    at: Date,
  ): Promise<void> {
    if (moves.length === 0) return;
    try {
      await sql`
        UPDATE associations a SET status = t.status, updated_at = ${at},
          active_from = CASE WHEN t.status = ${AssociationStatus.active} THEN coalesce(a.active_from, t.meter_at, ${at}) ELSE a.active_from END,
          active_until = CASE WHEN t.status = ${AssociationStatus.deleted} THEN coalesce(t.meter_at, ${at}) ELSE a.active_until END
        FROM unnest(${moves.map((m) => m.associationId)}::uuid[], ${moves.map((m) => m.status)}::text[],
          ${moves.map((m) => m.meterAt ?? null)}::timestamptz[]) AS t(id, status, meter_at)
        WHERE a.association_id = t.id
      `.execute(this.db);
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async findMany(associationIds: readonly string[]): Promise<Map<string, Association>> {
    if (associationIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('associations')
      .select(PUBLIC_COLUMNS)
      .where('association_id', '=', sql<string>`ANY(${[...associationIds]}::uuid[])`)
      .execute();
    return new Map(rows.map((row) => [row.association_id, toAssociation(row)]));
  }

  async sealedKeysOf(associationIds: readonly string[]): Promise<Map<string, Uint8Array>> {
    if (associationIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('associations')
      .select(['association_id', 'du_key_sealed'])
      .where('association_id', '=', sql<string>`ANY(${[...associationIds]}::uuid[])`)
      .execute();
    return new Map(rows.map((row) => [row.association_id, row.du_key_sealed]));
  }

  async applyChanges(associationId: string, changes: DuChanges, at: Date): Promise<void> {
    try {
      await this.db
        .updateTable('associations')
        .set({
          du_name: changes.name,
          du_mac_address: changes.macAddress,
          du_hardware_version: changes.hardwareVersion,
          du_software_version: changes.softwareVersion,
          du_key_sealed: changes.sealedKey,
          du_key_last4: changes.keyLast4,
          updated_at: at,
        })
        .where('association_id', '=', associationId)
        .execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }
}
