import type { Kysely } from 'kysely';
import type { Caller, TokenHolder } from '../domain/caller.js';
import type { AssetProviderStatus } from '../domain/onboarding.js';
import type { TokenRecord, TokenStore } from '../services/ports/index.js';
import type { Database } from './schema.js';

/** API tokens of every kind of holder, kept as SHA-256 hashes (`api_tokens`). */
export class SqlTokenStore implements TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(
    t: { tokenId: string; holder: TokenHolder; tokenHash: Uint8Array; label: string },
    at: Date,
  ): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        token_id: t.tokenId,
        ...holderColumns(t.holder),
        token_hash: t.tokenHash,
        label: t.label,
        created_at: at,
        revoked_at: null,
      })
      .execute();
  }

  async revokeLabelled(holder: TokenHolder, label: string, at: Date): Promise<void> {
    const [column, id] = holderColumn(holder);
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where(column, '=', id)
      .where('label', '=', label)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revoke(holder: TokenHolder, tokenId: string, at: Date): Promise<boolean> {
    const [column, id] = holderColumn(holder);
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where(column, '=', id)
      .where('token_id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async list(holder: TokenHolder): Promise<TokenRecord[]> {
    const [column, id] = holderColumn(holder);
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(['token_id', 'label', 'created_at', 'revoked_at'])
      .where(column, '=', id)
      .orderBy('token_id', 'desc')
      .execute();
    return rows.map((r) => ({ tokenId: r.token_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  async findCaller(tokenHash: Uint8Array): Promise<Caller | undefined> {
    const row = await this.db
      .selectFrom('api_tokens as t')
      .leftJoin('representatives as r', 'r.representative_id', 't.representative_id')
      .leftJoin('asset_providers as a', 'a.asset_provider_id', 'r.asset_provider_id')
      .leftJoin('retailer_users as u', 'u.retailer_user_id', 't.retailer_user_id')
      .select([
        't.representative_id',
        'r.asset_provider_id',
        'a.status',
        't.operator_id',
        't.retailer_user_id',
        'u.retailer_id',
      ])
      .where('t.token_hash', '=', tokenHash)
      .where('t.revoked_at', 'is', null)
      .executeTakeFirst();
    return row && callerOf(row);
  }
}

type HolderRow = {
  representative_id: string | null;
  asset_provider_id: string | null;
  status: string | null;
  operator_id: string | null;
  retailer_user_id: string | null;
  retailer_id: string | null;
};

/** The caller behind a token's or a session's holder columns (joined with the asset provider or the retailer). */
export function callerOf(row: HolderRow): Caller | undefined {
  if (row.representative_id && row.asset_provider_id) {
    return {
      role: 'asset_provider',
      representativeId: row.representative_id,
      assetProviderId: row.asset_provider_id,
      assetProviderStatus: row.status as AssetProviderStatus,
    };
  }
  if (row.retailer_user_id && row.retailer_id)
    return { role: 'retailer', retailerUserId: row.retailer_user_id, retailerId: row.retailer_id };
  return row.operator_id ? { role: 'dso_operator', operatorId: row.operator_id } : undefined;
}

/** A holder as the three columns of which exactly one is set. */
export function holderColumns(holder: TokenHolder): {
  representative_id: string | null;
  operator_id: string | null;
  retailer_user_id: string | null;
} {
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
export function holderOf(row: {
  representative_id: string | null;
  operator_id: string | null;
  retailer_user_id: string | null;
}): TokenHolder {
  if (row.representative_id) return { representativeId: row.representative_id };
  return row.operator_id ? { operatorId: row.operator_id } : { retailerUserId: row.retailer_user_id! };
}
