import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { createHash } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, type Migration, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/001-initial.js';
import * as bulkUploads from './migrations/002-bulk-uploads.js';
import * as operations from './migrations/003-operations.js';
import * as onboarding from './migrations/004-onboarding-and-sessions.js';
import * as monitoring from './migrations/005-monitoring.js';
import * as associationActivity from './migrations/007-association-activity.js';
import * as idempotencyLeases from './migrations/008-idempotency-leases.js';
import { lockDataDirectory } from './embedded-lock.js';
import type { Database } from './schema.js';

/** Numbered migrations, applied in order at start; never edit one that has shipped, add the next. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-bulk-uploads': bulkUploads,
  '003-operations': operations,
  '004-onboarding-and-sessions': onboarding,
  '005-monitoring': monitoring,
  '007-association-activity': associationActivity,
  '008-idempotency-leases': idempotencyLeases,
};

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize: number }
  /** `dataDir` undefined = in memory (tests). */
  | { kind: 'embedded'; dataDir: string | undefined };

/**
 * One SQL code path for both databases: node-postgres talks to a PostgreSQL server, or to PGlite
 * (PostgreSQL compiled to WASM, in this process) through PGlite's node-postgres adapter.
 */
export interface OpenDatabase {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Present on the embedded database: used only for COPY, which its node-postgres adapter cannot stream. */
  pglite: PGlite | undefined;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  let pglite: PGlite | undefined;
  let unlock: (() => void) | undefined;
  let pool: pg.Pool;
  if (target.kind === 'postgres') {
    pool = new pg.Pool({ connectionString: target.url, max: target.poolSize });
  } else {
    unlock = target.dataDir ? lockDataDirectory(target.dataDir) : undefined;
    try {
      pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
      await pglite.waitReady;
    } catch (error) {
      unlock?.();
      throw error;
    }
    pool = new pg.Pool(createPgConfig(pglite));
  }
  // An idle pooled connection the server ends (a restart, an administrator) is dropped by the pool, which then emits
  // 'error': without a listener that would crash the process. The next query opens a new connection.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing(pool) }) });
  return {
    db, pool, pglite,
    async close() {
      await db.destroy();
      await pglite?.close();
      unlock?.();
    },
  };
}

/**
 * Prepares each parameterised SELECT once per connection (a named statement, named by its text) instead of
 * parsing and planning it on every call: the eligibility lookup runs ≈3× faster on PostgreSQL (pgbench, -M
 * prepared vs extended). Only SELECTs: their shapes are fixed by the code, while multi-row INSERTs vary with
 * their row count and would pile up statements on every connection. Statements without parameters (DDL,
 * migrations) are sent as they are.
 */
const PREPARED = /^select /i;
function preparing(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `k${createHash('sha1').update(text).digest('base64url')}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      const query = (text: string, values: readonly unknown[]) =>
        values.length > 0 && PREPARED.test(text)
          ? client.query({ name: nameOf(text), text, values: [...values] })
          : client.query(text, values.length > 0 ? [...values] : undefined);
      // Kysely's cursor overload (streaming) is not used by this code base, so only (text, values) is forwarded.
      return { query, release: () => client.release() } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error('database migration failed', { cause: error });
  return (results ?? []).map((r) => r.migrationName);
}
