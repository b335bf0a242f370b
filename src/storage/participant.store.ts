import { sql, type Kysely } from 'kysely';
import type { AssetProviderRecord, Caller, OperatorRecord, ParticipantStore, RepresentativeRecord, TokenHolder, TokenRecord } from '../services/ports.js';
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
    const { representative_id, operator_id } = holderColumns(holder);
    await this.db.updateTable('api_tokens').set({ revoked_at: at })
      .where(representative_id ? 'representative_id' : 'operator_id', '=', (representative_id ?? operator_id)!)
      .where('label', '=', label).where('revoked_at', 'is', null).execute();
  }

  async revokeToken(holder: TokenHolder, tokenId: string, at: Date): Promise<boolean> {
    const { representative_id, operator_id } = holderColumns(holder);
    const result = await this.db.updateTable('api_tokens').set({ revoked_at: at })
      .where(representative_id ? 'representative_id' : 'operator_id', '=', (representative_id ?? operator_id)!)
      .where('token_id', '=', tokenId).where('revoked_at', 'is', null).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listTokens(holder: TokenHolder): Promise<TokenRecord[]> {
    const { representative_id, operator_id } = holderColumns(holder);
    const rows = await this.db.selectFrom('api_tokens').select(['token_id', 'label', 'created_at', 'revoked_at'])
      .where(representative_id ? 'representative_id' : 'operator_id', '=', (representative_id ?? operator_id)!)
      .orderBy('token_id', 'desc').execute();
    return rows.map((r) => ({ tokenId: r.token_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
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
      .select(['t.representative_id', 'r.asset_provider_id', 'a.status', 't.operator_id'])
      .where('t.token_hash', '=', tokenHash).where('t.revoked_at', 'is', null).executeTakeFirst();
    return row && callerOf(row);
  }
}

/** The caller behind a token's or a session's holder columns (joined with the representative's asset provider). */
export function callerOf(row: { representative_id: string | null; asset_provider_id: string | null; status: string | null; operator_id: string | null }): Caller | undefined {
  if (row.representative_id && row.asset_provider_id) {
    return {
      role: 'asset_provider', representativeId: row.representative_id, assetProviderId: row.asset_provider_id,
      assetProviderStatus: row.status as AssetProviderStatus,
    };
  }
  return row.operator_id ? { role: 'dso_operator', operatorId: row.operator_id } : undefined;
}

export function holderColumns(holder: TokenHolder): { representative_id: string | null; operator_id: string | null } {
  return 'representativeId' in holder
    ? { representative_id: holder.representativeId, operator_id: null }
    : { representative_id: null, operator_id: holder.operatorId };
}
