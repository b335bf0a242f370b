import { sql, type Kysely } from 'kysely';
import type { AssetProviderStatus } from '../domain/onboarding.js';
import type { CredentialRecord, CredentialStore } from '../services/ports/index.js';
import type { Caller, TokenHolder } from '../domain/caller.js';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import { translateUniqueViolation } from './errors.js';
import { callerOf, holderColumns, holderOf } from './token.store.js';
import type { Database } from './schema.js';

export class SqlCredentialStore implements CredentialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(c: Parameters<CredentialStore['insert']>[0], at: Date): Promise<void> {
    try {
      await this.db
        .insertInto('credentials')
        .values({
          email: c.email,
          ...holderColumns(c.holder),
          password_hash: c.passwordHash,
          activation_hash: c.activationHash,
          activation_expires_at: c.activationExpiresAt,
          updated_at: at,
        })
        .execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async findByEmail(email: string): Promise<CredentialRecord | undefined> {
    const row = await this.db
      .selectFrom('credentials')
      .select(['email', 'representative_id', 'operator_id', 'retailer_user_id', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst();
    return row && recordOf(row);
  }

  async setPassword(c: { email: string; holder: TokenHolder }, passwordHash: string, at: Date): Promise<void> {
    const holder = holderColumns(c.holder);
    const result = await this.db
      .insertInto('credentials')
      .values({
        email: c.email,
        ...holder,
        password_hash: passwordHash,
        activation_hash: null,
        activation_expires_at: null,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc
          .column('email')
          .doUpdateSet({
            password_hash: passwordHash,
            activation_hash: null,
            activation_expires_at: null,
            updated_at: at,
          })
          // Only the same holder's login: an email that is someone else's login is never taken over.
          .where('credentials.representative_id', 'is not distinct from', holder.representative_id)
          .where('credentials.operator_id', 'is not distinct from', holder.operator_id)
          .where('credentials.retailer_user_id', 'is not distinct from', holder.retailer_user_id),
      )
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 0n)
      throw new DomainError(DomainErrorCode.conflict, "This email is another user's login");
    await this.db.deleteFrom('sessions').where('email', '=', c.email).execute();
  }

  async renewActivation(
    representativeId: string,
    activationHash: Uint8Array,
    expiresAt: Date,
    at: Date,
  ): Promise<boolean> {
    const row = await this.db
      .updateTable('credentials')
      .set({ password_hash: null, activation_hash: activationHash, activation_expires_at: expiresAt, updated_at: at })
      .where('representative_id', '=', representativeId)
      .returning('email')
      .executeTakeFirst();
    if (row) await this.db.deleteFrom('sessions').where('email', '=', row.email).execute();
    return row !== undefined;
  }

  async hasPendingActivation(activationHash: Uint8Array, at: Date): Promise<boolean> {
    const row = await this.db
      .selectFrom('credentials')
      .select('email')
      .where('activation_hash', '=', activationHash)
      .where('activation_expires_at', '>', at)
      .executeTakeFirst();
    return row !== undefined;
  }

  async activate(activationHash: Uint8Array, passwordHash: string, at: Date): Promise<CredentialRecord | undefined> {
    const row = await this.db
      .updateTable('credentials')
      .set({ password_hash: passwordHash, activation_hash: null, activation_expires_at: null, updated_at: at })
      .where('activation_hash', '=', activationHash)
      .where('activation_expires_at', '>', at)
      .returning(['email', 'representative_id', 'operator_id', 'retailer_user_id', 'password_hash'])
      .executeTakeFirst();
    return row && recordOf(row);
  }

  async insertSession(s: { sessionHash: Uint8Array; email: string; at: Date; expiresAt: Date }): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        session_hash: s.sessionHash,
        email: s.email,
        created_at: s.at,
        last_seen_at: s.at,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  async useSession(
    sessionHash: Uint8Array,
    at: Date,
    idleSince: Date,
    touchBefore: Date,
  ): Promise<{ caller: Caller; email: string; expiresAt: Date } | undefined> {
    // The last use written only when older than `touchBefore`: a page's many calls do not each write the session.
    const row = await this.db
      .with('used', (db) =>
        db
          .selectFrom('sessions')
          .select(['email', 'expires_at'])
          .where('session_hash', '=', sessionHash)
          .where('expires_at', '>', at)
          .where('last_seen_at', '>', idleSince),
      )
      .with('touched', (db) =>
        db
          .updateTable('sessions')
          .set({ last_seen_at: at })
          .where('session_hash', '=', sessionHash)
          .where('expires_at', '>', at)
          .where('last_seen_at', '>', idleSince)
          .where('last_seen_at', '<', touchBefore),
      )
      .selectFrom('used')
      .innerJoin('credentials as c', 'c.email', 'used.email')
      .leftJoin('representatives as r', 'r.representative_id', 'c.representative_id')
      .leftJoin('asset_providers as a', 'a.asset_provider_id', 'r.asset_provider_id')
      .leftJoin('retailer_users as u', 'u.retailer_user_id', 'c.retailer_user_id')
      .select([
        'used.email',
        'used.expires_at',
        'c.representative_id',
        'c.operator_id',
        'r.asset_provider_id',
        'a.status',
        'c.retailer_user_id',
        'u.retailer_id',
      ])
      .executeTakeFirst();
    const caller = row && callerOf(row);
    return caller && { caller, email: row.email, expiresAt: row.expires_at };
  }

  async deleteSession(sessionHash: Uint8Array): Promise<void> {
    await this.db.deleteFrom('sessions').where('session_hash', '=', sessionHash).execute();
  }

  async purgeEnded(at: Date, idleSince: Date, windowStart: Date): Promise<{ sessions: number; attempts: number }> {
    const sessions = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', at), eb('last_seen_at', '<=', idleSince)]))
      .executeTakeFirst();
    const attempts = await this.db.deleteFrom('login_attempts').where('first_at', '<', windowStart).executeTakeFirst();
    return { sessions: Number(sessions.numDeletedRows), attempts: Number(attempts.numDeletedRows) };
  }

  async countAttempt(key: string, at: Date, windowStart: Date): Promise<{ attempts: number; firstAt: Date }> {
    const { rows } = await sql<{ attempts: number; first_at: Date }>`
      INSERT INTO login_attempts AS a (key, attempts, first_at) VALUES (${key}, 1, ${at})
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.first_at < ${windowStart} THEN 1 ELSE a.attempts + 1 END,
        first_at = CASE WHEN a.first_at < ${windowStart} THEN ${at}::timestamptz ELSE a.first_at END
      RETURNING attempts, first_at
    `.execute(this.db);
    return { attempts: rows[0]!.attempts, firstAt: rows[0]!.first_at };
  }

  async clearAttempts(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.db.deleteFrom('login_attempts').where('key', 'in', keys).execute();
  }

  async profile(email: string) {
    const row = await this.db
      .selectFrom('credentials as c')
      .leftJoin('representatives as r', 'r.representative_id', 'c.representative_id')
      .leftJoin('asset_providers as a', 'a.asset_provider_id', 'r.asset_provider_id')
      .leftJoin('operators as o', 'o.operator_id', 'c.operator_id')
      .leftJoin('retailer_users as u', 'u.retailer_user_id', 'c.retailer_user_id')
      .leftJoin('retailers as t', 't.retailer_id', 'u.retailer_id')
      .select([
        'r.full_name as rep_name',
        'o.full_name as operator_name',
        'u.full_name as retailer_user_name',
        'a.asset_provider_id',
        'a.name',
        'a.status',
        't.retailer_id',
        't.name as retailer_name',
      ])
      .where('c.email', '=', email)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      fullName: (row.rep_name ?? row.operator_name ?? row.retailer_user_name)!,
      assetProvider: row.asset_provider_id
        ? { id: row.asset_provider_id, name: row.name!, status: row.status as AssetProviderStatus }
        : null,
      retailer: row.retailer_id ? { id: row.retailer_id, name: row.retailer_name! } : null,
    };
  }
}

function recordOf(row: {
  email: string;
  representative_id: string | null;
  operator_id: string | null;
  retailer_user_id: string | null;
  password_hash: string | null;
}): CredentialRecord {
  return { email: row.email, holder: holderOf(row), passwordHash: row.password_hash };
}
