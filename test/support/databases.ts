import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseTarget } from '../../src/storage/database.js';

/** A database for one suite, and how to throw it away. */
export interface ScratchDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

export interface Backend {
  name: 'PGlite' | 'PostgreSQL';
  available: boolean;
  create(): Promise<ScratchDatabase>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const embedded: Backend = {
  name: 'PGlite',
  available: true,
  create: async () => ({ target: { kind: 'embedded', dataDir: undefined }, drop: async () => {} }),
};

/** A fresh database on the server per suite, so suites run in parallel without seeing each other. */
function postgres(adminUrl: string): Backend {
  return {
    name: 'PostgreSQL',
    available: adminUrl !== '',
    async create() {
      const name = `chain2_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return {
        target: { kind: 'postgres', url: withDatabase(adminUrl, name), poolSize: 5 },
        async drop() {
          const c = new pg.Client({ connectionString: adminUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  };
}

/** Both backends every contract suite runs on. */
export function backends(): Backend[] {
  return [embedded, postgres(inject('testDatabaseUrl'))];
}
