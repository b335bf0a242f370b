import { sql, type Kysely, type Selectable } from 'kysely';
import type { Association, AssociationStatus, Chain2Channel } from '../domain/association.js';
import { LIVE_ASSOCIATION_STATUSES } from '../domain/association.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import type { AssociationFilter, AssociationStore, DuChanges, NewAssociation } from '../services/ports.js';
import { translateUniqueViolation } from './errors.js';
import type { AssociationsTable, Database } from './schema.js';

/** 13 parameters a row: 1,000 rows stay well under PostgreSQL's 65,535 parameters a statement. */
const ROWS_PER_INSERT = 1000;

const PUBLIC_COLUMNS = [
  'association_id', 'asset_provider_id', 'pod', 'status', 'channel', 'du_name', 'du_mac_address', 'du_key_last4',
  'du_hardware_version', 'du_software_version', 'created_at', 'updated_at',
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

  async insertMany(associations: readonly NewAssociation[]): Promise<void> {
    try {
      for (let i = 0; i < associations.length; i += ROWS_PER_INSERT) {
        await this.db.insertInto('associations').values(associations.slice(i, i + ROWS_PER_INSERT).map((a) => ({
          association_id: a.associationId, asset_provider_id: a.assetProviderId, pod: a.pod, status: 'pending',
          channel: a.channel, du_name: a.du.name, du_mac_address: a.du.macAddress, du_key_sealed: a.sealedKey,
          du_key_last4: a.keyLast4, du_hardware_version: a.du.hardwareVersion, du_software_version: a.du.softwareVersion,
          created_at: a.at, updated_at: a.at,
        }))).execute();
      }
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async findOwned(assetProviderId: string, associationId: string): Promise<Association | undefined> {
    const row = await this.db.selectFrom('associations').select(PUBLIC_COLUMNS)
      .where('association_id', '=', associationId).where('asset_provider_id', '=', assetProviderId).executeTakeFirst();
    return row && toAssociation(row);
  }

  async find(associationId: string): Promise<Association | undefined> {
    const row = await this.db.selectFrom('associations').select(PUBLIC_COLUMNS)
      .where('association_id', '=', associationId).executeTakeFirst();
    return row && toAssociation(row);
  }

  async isMacLive(macAddress: MacAddress, exceptAssociationId?: string): Promise<boolean> {
    let query = this.db.selectFrom('associations').select('association_id')
      .where('du_mac_address', '=', macAddress).where('status', 'in', LIVE_ASSOCIATION_STATUSES);
    if (exceptAssociationId) query = query.where('association_id', '<>', exceptAssociationId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async liveMacs(macAddresses: readonly MacAddress[]): Promise<Set<string>> {
    if (macAddresses.length === 0) return new Set();
    const rows = await this.db.selectFrom('associations').select('du_mac_address')
      .where('du_mac_address', '=', sql<string>`ANY(${[...macAddresses]}::text[])`)
      .where('status', 'in', LIVE_ASSOCIATION_STATUSES).execute();
    return new Set(rows.map((r) => r.du_mac_address));
  }

  async list(filter: AssociationFilter): Promise<Association[]> {
    let query = this.db.selectFrom('associations').select(PUBLIC_COLUMNS)
      .where('asset_provider_id', '=', filter.assetProviderId);
    if (filter.pod) query = query.where('pod', '=', filter.pod);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('association_id', '<', filter.beforeId);
    const rows = await query.orderBy('association_id', 'desc').limit(filter.limit).execute();
    return rows.map(toAssociation);
  }

  async setStatus(associationId: string, status: AssociationStatus, at: Date): Promise<void> {
    try {
      await this.db.updateTable('associations').set({ status, updated_at: at }).where('association_id', '=', associationId).execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async applyChanges(associationId: string, changes: DuChanges, at: Date): Promise<void> {
    try {
      await this.db.updateTable('associations').set({
        du_name: changes.name,
        du_mac_address: changes.macAddress,
        du_hardware_version: changes.hardwareVersion,
        du_software_version: changes.softwareVersion,
        du_key_sealed: changes.sealedKey,
        du_key_last4: changes.keyLast4,
        updated_at: at,
      }).where('association_id', '=', associationId).execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }
}
