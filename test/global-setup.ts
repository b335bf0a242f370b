import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server for the contract suites; '' when none is reachable (local runs only). */
    testDatabaseUrl: string;
  }
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Finds the PostgreSQL server the storage contract runs on: TEST_DATABASE_URL, else the machine's default.
 * In CI a missing server fails the run; elsewhere the PostgreSQL half is skipped with a loud warning.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL || DEFAULT_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    project.provide('testDatabaseUrl', url);
  } catch (error) {
    if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${url} for the storage contract`, { cause: error });
    console.warn(`\n!!! PostgreSQL not reachable at ${url}: the PostgreSQL half of the suites is SKIPPED. Set TEST_DATABASE_URL.\n`);
    project.provide('testDatabaseUrl', '');
  } finally {
    await client.end().catch(() => {});
  }
}
