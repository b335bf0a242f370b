import { existsSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server for the contract suites; '' when none is reachable (local runs only). */
    testDatabaseUrl: string;
    /** Chromium for the browser tests; '' when it is missing (local runs only). */
    chromiumPath: string;
  }
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Finds the Chromium the browser tests drive: CHROMIUM_PATH, else Debian's. In CI a missing browser fails the run;
 * elsewhere the browser tests are skipped with a loud warning saying how to run them.
 */
function findChromium(project: TestProject) {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (existsSync(path)) return project.provide('chromiumPath', path);
  if (process.env.CI)
    throw new Error(`CI needs Chromium at ${path} for the browser tests (.ci/run installs Debian's chromium)`);
  console.warn(
    `\n!!! Chromium not found at ${path}: the browser tests (test/browser/) are SKIPPED. ` +
      'Run them with `apt-get install chromium` (or CHROMIUM_PATH=/path/to/chromium), then npm test.\n',
  );
  project.provide('chromiumPath', '');
}

/**
 * Finds the PostgreSQL server the storage contract runs on: TEST_DATABASE_URL, else the machine's default.
 * In CI a missing server fails the run; elsewhere the PostgreSQL half is skipped with a loud warning.
 */
export default async function setup(project: TestProject) {
  findChromium(project);
  const url = process.env.TEST_DATABASE_URL || DEFAULT_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    project.provide('testDatabaseUrl', url);
  } catch (error) {
    if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${url} for the storage contract`, { cause: error });
    console.warn(
      `\n!!! PostgreSQL not reachable at ${url}: the PostgreSQL half of the suites is SKIPPED. Set TEST_DATABASE_URL.\n`,
    );
    project.provide('testDatabaseUrl', '');
  } finally {
    await client.end().catch(() => {});
  }
}
