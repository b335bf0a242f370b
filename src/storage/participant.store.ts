import { sql, type Kysely } from 'kysely';
import type {
  AssetProviderRecord,
  OperatorRecord,
  ParticipantStore,
  RepresentativeRecord,
  RetailerRecord,
} from '../services/ports/index.js';
import { translateUniqueViolation } from './errors.js';
import type { Database } from './schema.js';

export class SqlParticipantStore implements ParticipantStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertAssetProvider(ap: AssetProviderRecord, at: Date): Promise<void> {
    try {
      await this.db
        .insertInto('asset_providers')
        .values({
          asset_provider_id: ap.assetProviderId,
          name: ap.name,
          vat_number: ap.vatNumber,
          status: ap.status,
          created_at: at,
        })
        .execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  /** Takes the lowest free seat of three; with none free the seat check refuses the row. */
  async insertRepresentative(r: RepresentativeRecord, at: Date): Promise<void> {
    try {
      await sql`
        INSERT INTO representatives (representative_id, asset_provider_id, seat, email, full_name, created_at)
        SELECT ${r.representativeId}::uuid, ${r.assetProviderId}::uuid, coalesce(min(s.seat), 4), ${r.email}, ${r.fullName}, ${at}
        FROM generate_series(1, 3) AS s(seat)
        WHERE s.seat NOT IN (SELECT seat FROM representatives WHERE asset_provider_id = ${r.assetProviderId}::uuid)
      `.execute(this.db);
    } catch (error) {
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === '23514' && pgError.constraint === 'representatives_seat_check') {
        throw translateUniqueViolation({ code: '23505', constraint: 'representatives_asset_provider_id_seat_key' });
      }
      throw translateUniqueViolation(error);
    }
  }

  async listRepresentatives(assetProviderId: string): Promise<RepresentativeRecord[]> {
    const rows = await this.db
      .selectFrom('representatives')
      .select(['representative_id', 'asset_provider_id', 'email', 'full_name'])
      .where('asset_provider_id', '=', assetProviderId)
      .orderBy('seat')
      .execute();
    return rows.map((r) => ({
      representativeId: r.representative_id,
      assetProviderId: r.asset_provider_id,
      email: r.email,
      fullName: r.full_name,
    }));
  }

  async insertOperator(o: OperatorRecord, at: Date): Promise<void> {
    try {
      await this.db
        .insertInto('operators')
        .values({ operator_id: o.operatorId, email: o.email, full_name: o.fullName, created_at: at })
        .execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async listOperators(): Promise<OperatorRecord[]> {
    const rows = await this.db
      .selectFrom('operators')
      .select(['operator_id', 'email', 'full_name'])
      .orderBy('email')
      .execute();
    return rows.map((r) => ({ operatorId: r.operator_id, email: r.email, fullName: r.full_name }));
  }

  async insertRetailer(r: RetailerRecord, at: Date): Promise<void> {
    await this.db
      .insertInto('retailers')
      .values({ retailer_id: r.retailerId, name: r.name, vat_number: r.vatNumber, created_at: at })
      .execute();
  }

  async insertRetailerUser(
    u: { retailerUserId: string; retailerId: string; email: string; fullName: string },
    at: Date,
  ): Promise<void> {
    try {
      await this.db
        .insertInto('retailer_users')
        .values({
          retailer_user_id: u.retailerUserId,
          retailer_id: u.retailerId,
          email: u.email,
          full_name: u.fullName,
          created_at: at,
        })
        .execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async listRetailers(): Promise<RetailerRecord[]> {
    const rows = await this.db
      .selectFrom('retailers')
      .select(['retailer_id', 'name', 'vat_number'])
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ retailerId: r.retailer_id, name: r.name, vatNumber: r.vat_number }));
  }

  async listRetailerUsers(retailerId: string) {
    const rows = await this.db
      .selectFrom('retailer_users')
      .select(['retailer_user_id', 'email', 'full_name'])
      .where('retailer_id', '=', retailerId)
      .orderBy('email')
      .execute();
    return rows.map((r) => ({ retailerUserId: r.retailer_user_id, email: r.email, fullName: r.full_name }));
  }

  async assignRetailers(contracts: readonly { pod: string; retailerId: string }[]): Promise<void> {
    for (let i = 0; i < contracts.length; i += 50_000) {
      const chunk = contracts.slice(i, i + 50_000);
      await sql`
        INSERT INTO supply_contracts (pod, retailer_id)
        SELECT * FROM unnest(${chunk.map((c) => c.pod)}::text[], ${chunk.map((c) => c.retailerId)}::uuid[])
        ON CONFLICT (pod) DO UPDATE SET retailer_id = excluded.retailer_id
      `.execute(this.db);
    }
  }

  async bulkQuotaOf(assetProviderId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('asset_providers')
      .select('bulk_quota_per_24h')
      .where('asset_provider_id', '=', assetProviderId)
      .executeTakeFirst();
    return row?.bulk_quota_per_24h ?? null;
  }
}
