import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Kysely, Migrator, PostgresDialect, type Migration, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/001-initial.js';
import * as bulkUploads from './migrations/002-bulk-uploads.js';
import * as operations from './migrations/003-operations.js';
import * as onboarding from './migrations/004-onboarding-and-sessions.js';
import * as monitoring from './migrations/005-monitoring.js';
import * as associationActivity from './migrations/007-association-activity.js';
import * as idempotencyLeases from './migrations/008-idempotency-leases.js';
import * as collection from './migrations/009-collection.js';
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
  '009-collection': collection,
};

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize: number }
  /** `dataDir` undefined = in memory (tests). `sharedBuffersMb`: default EMBEDDED_SHARED_BUFFERS_MB. */
  | { kind: 'embedded'; dataDir: string | undefined; sharedBuffersMb?: number };

/**
 * PostgreSQL's shared_buffers in PGlite (its default is 128 MB). The WASM build allocates them whole and zeroed at
 * start, so every megabyte is resident from the first second and the WASM memory never gives it back. The demo's
 * database is ≈ 30 MB, catalogues included; reads that miss are served by the OS page cache.
 */
export const EMBEDDED_SHARED_BUFFERS_MB = 16;

/** PGlite's options: its default start parameters, with our shared_buffers. */
function embeddedOptions(sharedBuffersMb: number) {
  return { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`] };
}

/**
 * Creates the files of a new embedded database (initdb) in a short-lived child process. PGlite 0.5 runs initdb in
 * a second PostgreSQL instance whose 128 MB heap it also copies into JavaScript: ≈ 700 MB at the peak, which this
 * process would otherwise keep as garbage until V8's next full collection. The child writes beside `dataDir`, which
 * is renamed into place once complete: a child outliving its killed parent never writes where a next start reads.
 * Nothing is done when the files exist.
 */
async function createEmbeddedDatabase(dataDir: string, sharedBuffersMb: number): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  removeStagingLeftovers(dataDir);
  const staging = `${dataDir}${STAGING_SUFFIX}${process.pid}`;
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = `const { PGlite } = require(process.argv[1]);
const [dataDir, startParams] = [process.argv[2], JSON.parse(process.argv[3])];
const db = new PGlite({ dataDir, startParams: [...PGlite.defaultStartParams, ...startParams], initDbStartParams: startParams });
db.waitReady.then(() => db.close()).catch((error) => { console.error(error); process.exitCode = 1; });`;
  const startParams = embeddedOptions(sharedBuffersMb).startParams.slice(PGlite.defaultStartParams.length);
  try {
    await promisify(execFile)(process.execPath, ['-e', script, pglite, staging, JSON.stringify(startParams)], {
      env: {},
    });
    renameSync(staging, dataDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not create the embedded database in ${dataDir}`, { cause: error });
  }
}

const STAGING_SUFFIX = '.creating-';

/**
 * Removes what the children of killed processes left while creating `dataDir`: the lock is ours, so their parents
 * are gone. Best effort: a child still writing may recreate a file meanwhile; what is left goes next time.
 */
function removeStagingLeftovers(dataDir: string): void {
  const prefix = `${basename(dataDir)}${STAGING_SUFFIX}`;
  const parent = dirname(dataDir);
  for (const name of existsSync(parent) ? readdirSync(parent) : []) {
    if (!name.startsWith(prefix)) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Still being written by an orphaned child: removed at the next creation.
    }
  }
}

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
    const sharedBuffersMb = target.sharedBuffersMb ?? EMBEDDED_SHARED_BUFFERS_MB;
    try {
      if (target.dataDir) await createEmbeddedDatabase(target.dataDir, sharedBuffersMb);
      pglite = new PGlite({ dataDir: target.dataDir, ...embeddedOptions(sharedBuffersMb) });
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
    db,
    pool,
    pglite,
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
