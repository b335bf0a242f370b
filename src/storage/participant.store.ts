import { sql, type Kysely } from 'kysely';
import type { AssetProviderRecord, Caller, OperatorRecord, ParticipantStore, RepresentativeRecord, RetailerRecord, TokenHolder, TokenRecord } from '../services/ports.js';
import type { AssetProviderStatus } from '../domain/onboarding.js';
import { translateUniqueViolation } from './errors.js';
import type { Database } from './schema.js';

export class SqlParticipantStore implements ParticipantStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertAssetProvider(ap: AssetProviderRecord, at: Date): Promise<void> {
    try {
      await this.db.insertInto('asset_providers')
        .values({ asset_provider_id: ap.assetProviderId, name: ap.name, vat_number: ap.vatNumber, status: ap.status, created_at: at }).execute();
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

  async listAssetProviders(): Promise<AssetProviderRecord[]> {
    const rows = await this.db.selectFrom('asset_providers').select(['asset_provider_id', 'name', 'vat_number', 'status']).orderBy('name').execute();
    return rows.map((r) => ({ assetProviderId: r.asset_provider_id, name: r.name, vatNumber: r.vat_number, status: r.status as AssetProviderStatus }));
  }

  async listRepresentatives(assetProviderId: string): Promise<RepresentativeRecord[]> {
    const rows = await this.db.selectFrom('representatives').select(['representative_id', 'asset_provider_id', 'email', 'full_name'])
      .where('asset_provider_id', '=', assetProviderId).orderBy('seat').execute();
    return rows.map((r) => ({ representativeId: r.representative_id, assetProviderId: r.asset_provider_id, email: r.email, fullName: r.full_name }));
  }

  async insertOperator(o: OperatorRecord, at: Date): Promise<void> {
    try {
      await this.db.insertInto('operators').values({ operator_id: o.operatorId, email: o.email, full_name: o.fullName, created_at: at }).execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async listOperators(): Promise<OperatorRecord[]> {
    const rows = await this.db.selectFrom('operators').select(['operator_id', 'email', 'full_name']).orderBy('email').execute();
    return rows.map((r) => ({ operatorId: r.operator_id, email: r.email, fullName: r.full_name }));
  }

  async insertToken(t: { tokenId: string; holder: TokenHolder; tokenHash: Uint8Array; label: string }, at: Date): Promise<void> {
    await this.db.insertInto('api_tokens').values({
      token_id: t.tokenId, ...holderColumns(t.holder), token_hash: t.tokenHash, label: t.label, created_at: at, revoked_at: null,
    }).execute();
  }

  async revokeTokens(holder: TokenHolder, label: string, at: Date): Promise<void> {
    const [column, id] = holderColumn(holder);
    await this.db.updateTable('api_tokens').set({ revoked_at: at })
      .where(column, '=', id)
      .where('label', '=', label).where('revoked_at', 'is', null).execute();
  }

  async revokeToken(holder: TokenHolder, tokenId: string, at: Date): Promise<boolean> {
    const [column, id] = holderColumn(holder);
    const result = await this.db.updateTable('api_tokens').set({ revoked_at: at })
      .where(column, '=', id)
      .where('token_id', '=', tokenId).where('revoked_at', 'is', null).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listTokens(holder: TokenHolder): Promise<TokenRecord[]> {
    const [column, id] = holderColumn(holder);
    const rows = await this.db.selectFrom('api_tokens').select(['token_id', 'label', 'created_at', 'revoked_at'])
      .where(column, '=', id)
      .orderBy('token_id', 'desc').execute();
    return rows.map((r) => ({ tokenId: r.token_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  async insertRetailer(r: RetailerRecord, at: Date): Promise<void> {
    await this.db.insertInto('retailers').values({ retailer_id: r.retailerId, name: r.name, vat_number: r.vatNumber, created_at: at }).execute();
  }

  async insertRetailerUser(u: { retailerUserId: string; retailerId: string; email: string; fullName: string }, at: Date): Promise<void> {
    try {
      await this.db.insertInto('retailer_users')
        .values({ retailer_user_id: u.retailerUserId, retailer_id: u.retailerId, email: u.email, full_name: u.fullName, created_at: at }).execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async listRetailers(): Promise<RetailerRecord[]> {
    const rows = await this.db.selectFrom('retailers').select(['retailer_id', 'name', 'vat_number']).orderBy('name').execute();
    return rows.map((r) => ({ retailerId: r.retailer_id, name: r.name, vatNumber: r.vat_number }));
  }

  async listRetailerUsers(retailerId: string) {
    const rows = await this.db.selectFrom('retailer_users').select(['retailer_user_id', 'email', 'full_name'])
      .where('retailer_id', '=', retailerId).orderBy('email').execute();
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
    const row = await this.db.selectFrom('asset_providers').select('bulk_quota_per_24h')
      .where('asset_provider_id', '=', assetProviderId).executeTakeFirst();
    return row?.bulk_quota_per_24h ?? null;
  }

  async findCallerByTokenHash(tokenHash: Uint8Array): Promise<Caller | undefined> {
    const row = await this.db.selectFrom('api_tokens as t')
      .leftJoin('representatives as r', 'r.representative_id', 't.representative_id')
      .leftJoin('asset_providers as a', 'a.asset_provider_id', 'r.asset_provider_id')
      .leftJoin('retailer_users as u', 'u.retailer_user_id', 't.retailer_user_id')
      .select(['t.representative_id', 'r.asset_provider_id', 'a.status', 't.operator_id', 't.retailer_user_id', 'u.retailer_id'])
      .where('t.token_hash', '=', tokenHash).where('t.revoked_at', 'is', null).executeTakeFirst();
    return row && callerOf(row);
  }
}

type HolderRow = {
  representative_id: string | null; asset_provider_id: string | null; status: string | null; operator_id: string | null;
  retailer_user_id: string | null; retailer_id: string | null;
};

/** The caller behind a token's or a session's holder columns (joined with the asset provider or the retailer). */
export function callerOf(row: HolderRow): Caller | undefined {
  if (row.representative_id && row.asset_provider_id) {
    return {
      role: 'asset_provider', representativeId: row.representative_id, assetProviderId: row.asset_provider_id,
      assetProviderStatus: row.status as AssetProviderStatus,
    };
  }
  if (row.retailer_user_id && row.retailer_id) return { role: 'retailer', retailerUserId: row.retailer_user_id, retailerId: row.retailer_id };
  return row.operator_id ? { role: 'dso_operator', operatorId: row.operator_id } : undefined;
}

/** A holder as the three columns of which exactly one is set. */
export function holderColumns(holder: TokenHolder): { representative_id: string | null; operator_id: string | null; retailer_user_id: string | null } {
  return {
    representative_id: 'representativeId' in holder ? holder.representativeId : null,
    operator_id: 'operatorId' in holder ? holder.operatorId : null,
    retailer_user_id: 'retailerUserId' in holder ? holder.retailerUserId : null,
  };
}

/** The one column that holds a holder, and its value. */
function holderColumn(holder: TokenHolder): ['representative_id' | 'operator_id' | 'retailer_user_id', string] {
  if ('representativeId' in holder) return ['representative_id', holder.representativeId];
  return 'operatorId' in holder ? ['operator_id', holder.operatorId] : ['retailer_user_id', holder.retailerUserId];
}

/** The holder of a row with the three holder columns. */
export function holderOf(row: { representative_id: string | null; operator_id: string | null; retailer_user_id: string | null }): TokenHolder {
  if (row.representative_id) return { representativeId: row.representative_id };
  return row.operator_id ? { operatorId: row.operator_id } : { retailerUserId: row.retailer_user_id! };
}
