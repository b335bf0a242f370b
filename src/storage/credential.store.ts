import { sql, type Kysely } from 'kysely';
import type { AssetProviderStatus } from '../domain/onboarding.js';
import type { Caller, CredentialRecord, CredentialStore, TokenHolder } from '../services/ports.js';
import { translateUniqueViolation } from './errors.js';
import { callerOf, holderColumns } from './participant.store.js';
import type { Database } from './schema.js';

export class SqlCredentialStore implements CredentialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(c: Parameters<CredentialStore['insert']>[0], at: Date): Promise<void> {
    try {
      await this.db.insertInto('credentials').values({
        email: c.email, ...holderColumns(c.holder), password_hash: c.passwordHash, activation_hash: c.activationHash,
        activation_expires_at: c.activationExpiresAt, updated_at: at,
      }).execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async findByEmail(email: string): Promise<CredentialRecord | undefined> {
    const row = await this.db.selectFrom('credentials').select(['email', 'representative_id', 'operator_id', 'password_hash'])
      .where('email', '=', email).executeTakeFirst();
    return row && recordOf(row);
  }

  async setPassword(c: { email: string; holder: TokenHolder }, passwordHash: string, at: Date): Promise<void> {
    await this.db.insertInto('credentials')
      .values({ email: c.email, ...holderColumns(c.holder), password_hash: passwordHash, activation_hash: null, activation_expires_at: null, updated_at: at })
      .onConflict((oc) => oc.column('email').doUpdateSet({ password_hash: passwordHash, activation_hash: null, activation_expires_at: null, updated_at: at }))
      .execute();
    await this.db.deleteFrom('sessions').where('email', '=', c.email).execute();
  }

  async activate(activationHash: Uint8Array, passwordHash: string, at: Date): Promise<CredentialRecord | undefined> {
    const row = await this.db.updateTable('credentials')
      .set({ password_hash: passwordHash, activation_hash: null, activation_expires_at: null, updated_at: at })
      .where('activation_hash', '=', activationHash).where('activation_expires_at', '>', at)
      .returning(['email', 'representative_id', 'operator_id', 'password_hash']).executeTakeFirst();
    return row && recordOf(row);
  }

  async insertSession(s: { sessionHash: Uint8Array; email: string; at: Date; expiresAt: Date }): Promise<void> {
    await this.db.insertInto('sessions')
      .values({ session_hash: s.sessionHash, email: s.email, created_at: s.at, last_seen_at: s.at, expires_at: s.expiresAt }).execute();
  }

  async useSession(sessionHash: Uint8Array, at: Date, idleSince: Date): Promise<{ caller: Caller; email: string; expiresAt: Date } | undefined> {
    const row = await this.db.with('used', (db) => db.updateTable('sessions').set({ last_seen_at: at })
      .where('session_hash', '=', sessionHash).where('expires_at', '>', at).where('last_seen_at', '>', idleSince)
      .returning(['email', 'expires_at']))
      .selectFrom('used')
      .innerJoin('credentials as c', 'c.email', 'used.email')
      .leftJoin('representatives as r', 'r.representative_id', 'c.representative_id')
      .leftJoin('asset_providers as a', 'a.asset_provider_id', 'r.asset_provider_id')
      .select(['used.email', 'used.expires_at', 'c.representative_id', 'c.operator_id', 'r.asset_provider_id', 'a.status'])
      .executeTakeFirst();
    const caller = row && callerOf(row);
    return caller && { caller, email: row.email, expiresAt: row.expires_at };
  }

  async deleteSession(sessionHash: Uint8Array): Promise<void> {
    await this.db.deleteFrom('sessions').where('session_hash', '=', sessionHash).execute();
  }

  async recordFailure(email: string, at: Date, windowStart: Date, limit: number, lockedUntil: Date): Promise<void> {
    // A failure older than the window starts a new count; reaching the limit sets the lock.
    await sql`
      INSERT INTO login_failures AS f (email, failures, first_at, locked_until) VALUES (${email}, 1, ${at}, ${limit <= 1 ? lockedUntil : null})
      ON CONFLICT (email) DO UPDATE SET
        failures = CASE WHEN f.first_at < ${windowStart} THEN 1 ELSE f.failures + 1 END,
        first_at = CASE WHEN f.first_at < ${windowStart} THEN ${at} ELSE f.first_at END,
        locked_until = CASE WHEN f.first_at >= ${windowStart} AND f.failures + 1 >= ${limit} THEN ${lockedUntil}::timestamptz ELSE f.locked_until END
    `.execute(this.db);
  }

  async lockedUntil(email: string, at: Date): Promise<Date | undefined> {
    const row = await this.db.selectFrom('login_failures').select('locked_until')
      .where('email', '=', email).where('locked_until', '>', at).executeTakeFirst();
    return row?.locked_until ?? undefined;
  }

  async clearFailures(email: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('email', '=', email).execute();
  }

  async profile(email: string) {
    const row = await this.db.selectFrom('credentials as c')
      .leftJoin('representatives as r', 'r.representative_id', 'c.representative_id')
      .leftJoin('asset_providers as a', 'a.asset_provider_id', 'r.asset_provider_id')
      .leftJoin('operators as o', 'o.operator_id', 'c.operator_id')
      .select(['r.full_name as rep_name', 'o.full_name as operator_name', 'a.asset_provider_id', 'a.name', 'a.status'])
      .where('c.email', '=', email).executeTakeFirst();
    if (!row) return undefined;
    return {
      fullName: (row.rep_name ?? row.operator_name)!,
      assetProvider: row.asset_provider_id ? { id: row.asset_provider_id, name: row.name!, status: row.status as AssetProviderStatus } : null,
    };
  }
}

function recordOf(row: { email: string; representative_id: string | null; operator_id: string | null; password_hash: string | null }): CredentialRecord {
  const holder: TokenHolder = row.representative_id ? { representativeId: row.representative_id } : { operatorId: row.operator_id! };
  return { email: row.email, holder, passwordHash: row.password_hash };
}
