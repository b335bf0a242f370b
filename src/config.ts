import { resolve } from 'node:path';

/** Everything the platform reads from its environment; documented variable by variable in `.env.example`. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset: the embedded database (PGlite) in `$DATA_DIR/db`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** 64 hex digits; unset: `$DATA_DIR/master.key`, created on first start. */
  masterKeyHex: string | undefined;
  /** Distributor codes of this DSO (the 3 digits after `IT` in a POD); other codes are `other_distributor`. */
  distributorCodes: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How often the request workflow looks for submitted requests it was not told about (ms). */
  workflowPollMs: number;
  /** Bulk associations taken in charge per asset provider in a rolling 24 h, unless the asset provider has its own. */
  bulkQuotaPer24h: number;
  bulkMaxBytes: number;
  bulkMaxRows: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The only reader of the environment. Reports every problem at once, not the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const masterKeyHex = text('MASTER_KEY');
  if (masterKeyHex && !/^[0-9a-fA-F]{64}$/.test(masterKeyHex)) problems.push('MASTER_KEY must be 64 hex digits (256 bits)');
  const distributorCodes = (text('DISTRIBUTOR_CODES') ?? '001').split(',').map((c) => c.trim());
  if (distributorCodes.some((c) => !/^\d{3}$/.test(c))) problems.push('DISTRIBUTOR_CODES must be comma-separated 3-digit codes, e.g. 001');
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel as Config['logLevel'])) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: Config = {
    host: text('HOST') ?? '127.0.0.1',
    port: integer('PORT', 8080, 0, 65535),
    dataDir: resolve(text('DATA_DIR') ?? './data'),
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    masterKeyHex,
    distributorCodes,
    logLevel: logLevel as Config['logLevel'],
    workflowPollMs: integer('WORKFLOW_POLL_MS', 500, 10, 60_000),
    bulkQuotaPer24h: integer('BULK_QUOTA_PER_24H', 100, 0, 1_000_000),
    bulkMaxBytes: integer('BULK_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    bulkMaxRows: integer('BULK_MAX_ROWS', 50_000, 1, 10_000_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
