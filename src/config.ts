import { resolve } from 'node:path';

/** Everything the platform reads from its environment; documented variable by variable in `.env.example`. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset: the embedded database (PGlite) in `$DATA_DIR/db`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** PostgreSQL's shared_buffers of the embedded database (MB); unset: storage/database.ts's EMBEDDED_SHARED_BUFFERS_MB. */
  embeddedSharedBuffersMb: number | undefined;
  /** 64 hex digits; unset: `$DATA_DIR/master.key`, created on first start. */
  masterKeyHex: string | undefined;
  /** Distributor codes of this DSO (the 3 digits after `IT` in a POD); other codes are `other_distributor`. */
  distributorCodes: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `pretty`: one short line per event, for a person at a terminal; `json`: one JSON object per line, for a log collector. */
  logFormat: 'json' | 'pretty';
  /** How often the request workflow looks for submitted requests it was not told about (ms). */
  workflowPollMs: number;
  /** Bulk associations taken in charge per asset provider in a rolling 24 h, unless the asset provider has its own. */
  bulkQuotaPer24h: number;
  bulkMaxBytes: number;
  bulkMaxRows: number;
  /** What this process runs: the HTTP API, the request workflow, or both (the default; the only choice on PGlite). */
  role: 'api' | 'worker' | 'both';
  /** `telemanagement`: requests program meters through the head-end (pg-boss jobs); `direct`: the stand-in. */
  requestWorkflow: 'telemanagement' | 'direct';
  /** Meter jobs a worker fetches and carries out as one batch. */
  workflowConcurrency: number;
  /** A meter job not finished in this time is taken to have died with its worker and is retried (s). */
  workflowJobTimeoutSeconds: number;
  /** Unset: the field-network simulator runs inside each worker process; set: workers send commands to `chain2 field-network` there. */
  headEndUrl: string | undefined;
  /** Where `chain2 field-network` listens. */
  fieldNetwork: { host: string; port: number };
  simulator: {
    timeScale: number;
    latencyMs: number;
    lossRate: number;
    unreachableRate: number;
    seed: number;
    /** The meters' seeded field faults (late answers, gaps, spikes, outages…): on, or off for perfect meters. */
    fieldFaults: boolean;
  };
  /** The demo's Chain 2: loss on the power line meter → DU, and the port of the emulated DUs' WebSocket server. */
  chain2: { lossRate: number; duPort: number };
  /**
   * Monitoring: performance target (0–1), hour of D+1 (Rome) when day D is first computed, days the job looks back,
   * ranges of supply points computed at once on a server, the largest report file.
   */
  kpi: {
    target: number;
    cutoffHour: number;
    lookbackDays: number;
    computeParts: number;
    maxBytes: number;
    maxRows: number;
  };
  /**
   * Chain 1 daily collection: hour of D+1 (Rome, meters' clock) when day D is first read, days after that its missing
   * meters are asked again, concentrators read at once per worker.
   */
  collection: {
    startHour: number;
    maxDaysLate: number;
    concurrency: number;
    /** Delay before a failed collection job's first retry, doubling after (5 retries); then the next day's run asks. */
    retryDelaySeconds: number;
  };
  /** Where users reach the portal (activation links; https: makes the session cookie Secure). Unset: the request's own address. */
  publicUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;

/**
 * The only reader of the environment. Reports every problem at once, not the first. `stdoutIsTty` chooses the
 * default log format: pretty for a person at a terminal, JSON when the output goes to a file or a collector.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  { stdoutIsTty = process.stdout.isTTY === true } = {},
): Config {
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
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const masterKeyHex = text('MASTER_KEY');
  if (masterKeyHex && !/^[0-9a-fA-F]{64}$/.test(masterKeyHex))
    problems.push('MASTER_KEY must be 64 hex digits (256 bits)');
  const distributorCodes = (text('DISTRIBUTOR_CODES') ?? '001').split(',').map((c) => c.trim());
  if (distributorCodes.some((c) => !/^\d{3}$/.test(c)))
    problems.push('DISTRIBUTOR_CODES must be comma-separated 3-digit codes, e.g. 001');
  const fraction = (name: string, fallback: number) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      problems.push(`${name} must be a number from 0 to 1 (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const requestWorkflow = text('REQUEST_WORKFLOW') ?? 'telemanagement';
  if (requestWorkflow !== 'telemanagement' && requestWorkflow !== 'direct')
    problems.push('REQUEST_WORKFLOW must be telemanagement or direct');
  const fieldFaults = text('SIMULATOR_FIELD_FAULTS') ?? 'on';
  if (fieldFaults !== 'on' && fieldFaults !== 'off') problems.push('SIMULATOR_FIELD_FAULTS must be on or off');
  const role = text('ROLE') ?? 'both';
  if (role !== 'api' && role !== 'worker' && role !== 'both') problems.push('ROLE must be api, worker or both');
  else if (role !== 'both' && !databaseUrl)
    problems.push(
      `ROLE=${role} needs DATABASE_URL: the embedded database belongs to one process, which must then run both`,
    );
  const headEndUrl = text('HEAD_END_URL');
  if (headEndUrl && !/^https?:\/\/[^/]+/.test(headEndUrl))
    problems.push('HEAD_END_URL must be an http:// URL, e.g. http://127.0.0.1:4810');
  const publicUrl = text('PUBLIC_URL')?.replace(/\/+$/, '');
  if (publicUrl && !/^https?:\/\/[^/]+$/.test(publicUrl))
    problems.push("PUBLIC_URL must be the portal's origin, e.g. https://chain2.example.it");
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel as Config['logLevel']))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = text('LOG_FORMAT') ?? (stdoutIsTty ? 'pretty' : 'json');
  if (!LOG_FORMATS.includes(logFormat as Config['logFormat']))
    problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}`);

  const config: Config = {
    host: text('HOST') ?? '127.0.0.1',
    port: integer('PORT', 8080, 0, 65535),
    dataDir: resolve(text('DATA_DIR') ?? './data'),
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    embeddedSharedBuffersMb:
      text('EMBEDDED_SHARED_BUFFERS_MB') === undefined ? undefined : integer('EMBEDDED_SHARED_BUFFERS_MB', 0, 1, 1024),
    masterKeyHex,
    distributorCodes,
    logLevel: logLevel as Config['logLevel'],
    logFormat: logFormat as Config['logFormat'],
    workflowPollMs: integer('WORKFLOW_POLL_MS', 500, 10, 60_000),
    bulkQuotaPer24h: integer('BULK_QUOTA_PER_24H', 100, 0, 1_000_000),
    bulkMaxBytes: integer('BULK_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    bulkMaxRows: integer('BULK_MAX_ROWS', 50_000, 1, 10_000_000),
    role: role as Config['role'],
    requestWorkflow: requestWorkflow as Config['requestWorkflow'],
    workflowConcurrency: integer('WORKFLOW_CONCURRENCY', 100, 1, 5000),
    workflowJobTimeoutSeconds: integer('WORKFLOW_JOB_TIMEOUT_SECONDS', 900, 1, 86_400),
    headEndUrl,
    fieldNetwork: {
      host: text('FIELD_NETWORK_HOST') ?? '127.0.0.1',
      port: integer('FIELD_NETWORK_PORT', 4810, 0, 65535),
    },
    simulator: {
      timeScale: integer('SIMULATOR_TIME_SCALE', 60, 1, 1_000_000),
      latencyMs: integer('SIMULATOR_LATENCY_MS', 300, 0, 60_000),
      lossRate: fraction('SIMULATOR_LOSS_RATE', 0.02),
      unreachableRate: fraction('SIMULATOR_UNREACHABLE_RATE', 0.005),
      seed: integer('SIMULATOR_SEED', 1, 0, 2 ** 31 - 1),
      fieldFaults: fieldFaults !== 'off',
    },
    chain2: { lossRate: fraction('CHAIN2_LOSS_RATE', 0.01), duPort: integer('DU_PORT', 8081, 0, 65535) },
    publicUrl,
    kpi: {
      target: fraction('KPI_TARGET', 0.99),
      cutoffHour: integer('KPI_CUTOFF_HOUR', 6, 0, 23),
      lookbackDays: integer('KPI_LOOKBACK_DAYS', 3, 2, 60),
      computeParts: integer('KPI_COMPUTE_PARTS', 2, 1, 64),
      maxBytes: integer('KPI_MAX_BYTES', 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxRows: integer('KPI_MAX_ROWS', 2_000_000, 1, 20_000_000),
    },
    collection: {
      startHour: integer('COLLECTION_START_HOUR', 1, 0, 23),
      maxDaysLate: integer('COLLECTION_MAX_DAYS_LATE', 7, 0, 60),
      concurrency: integer('COLLECTION_CONCURRENCY', 50, 1, 5000),
      retryDelaySeconds: integer('COLLECTION_RETRY_DELAY_SECONDS', 30, 1, 3600),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The environment `chain2 du` reads (it needs none of the platform's configuration): the DU key, kept out of `ps`. */
export function duCommandEnv(env: NodeJS.ProcessEnv = process.env): { CHAIN2_DU_KEY?: string } {
  return env.CHAIN2_DU_KEY ? { CHAIN2_DU_KEY: env.CHAIN2_DU_KEY } : {};
}
