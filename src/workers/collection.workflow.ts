import PgBoss from 'pg-boss';
import type { CollectionService } from '../services/collection.service.js';
import type { ConcentratorDay, Logger, Storage, Stores } from '../services/ports/index.js';
import { LeasedJobs, PG_BOSS_SCHEMA, takeBackOrphanedJobs } from './leased-jobs.js';

/** One job per concentrator and day: read its meters' day files (those still missing) and store them. */
export const COLLECT_DAY_QUEUE = 'collect-concentrator-day';
/** How often (wall time) the scheduler looks for collections due on the meters' clock. */
export const COLLECTION_TICK_MS = 5_000;
/** How long a job outlives its worker's last sign of life (leased-jobs.ts). */
const JOB_LEASE_SECONDS = 20;
/**
 * Retries of a job that failed (the head-end down, its worker dead, a defect): 30 s, 1, 2, 4, 8 min by default
 * (COLLECTION_RETRY_DELAY_SECONDS); then the next day's run asks again.
 */
export const COLLECTION_JOB_RETRY = { limit: 5, delaySeconds: 30 };

export interface CollectionWorkflowDeps {
  storage: Storage;
  collection: CollectionService;
  logger: Logger;
  /** Concentrators read at once by this process. */
  concurrency: number;
  /** A job still running after this long is retried, even if its worker is alive (a read that hangs). */
  jobTimeoutSeconds: number;
  jobLeaseSeconds?: number;
  /** Attempts after the first, and the delay before the first retry (doubling after): tests shorten them. */
  jobRetry?: { limit: number; delaySeconds: number };
  scheduleEveryMs?: number;
}

/**
 * The daily collection as pg-boss jobs, kill-safe like the request workflow: the scheduler marks each collection
 * scheduled and enqueues its job in one transaction (once per run day, however many workers look); workers carry jobs
 * out under a lease (leased-jobs.ts), so a dead worker's job comes back a lease later — at once after the embedded
 * database's restart — and runs again. A job run twice stores nothing twice: it asks only for the files not stored,
 * and stores a file once (CollectionService.collectConcentratorDay). A job out of retries is left failed: the next
 * day's run asks for its concentrator's day again, until COLLECTION_MAX_DAYS_LATE.
 */
export class CollectionWorkflow {
  private readonly boss: PgBoss;
  private readonly jobs: LeasedJobs;
  private timer: NodeJS.Timeout | undefined;
  private scheduling: Promise<unknown> = Promise.resolve();
  private running = false;

  constructor(private readonly deps: CollectionWorkflowDeps) {
    const leaseSeconds = Math.min(deps.jobLeaseSeconds ?? JOB_LEASE_SECONDS, deps.jobTimeoutSeconds);
    this.boss = new PgBoss({
      db: deps.storage.sql as PgBoss.Db,
      schema: PG_BOSS_SCHEMA,
      supervise: true,
      schedule: false,
      // Expired jobs (their worker died) are failed, hence retried, by this maintenance: look as often as they may expire.
      maintenanceIntervalSeconds: Math.max(1, Math.ceil(leaseSeconds / 2)),
    });
    this.boss.on('error', (error) => deps.logger.error({ err: error }, 'collection job queue error'));
    this.jobs = new LeasedJobs({
      boss: this.boss,
      sql: deps.storage.sql,
      logger: deps.logger,
      pollMs: 500,
      leaseSeconds,
      timeoutSeconds: deps.jobTimeoutSeconds,
    });
  }

  /** Starts carrying out collection jobs and the scheduler (at once, then every `scheduleEveryMs`). */
  async start(): Promise<void> {
    if (this.running) return;
    await this.boss.start();
    await this.ensureQueue();
    await takeBackOrphanedJobs(this.boss, this.deps.storage.sql, [COLLECT_DAY_QUEUE], this.deps.logger);
    this.jobs.work<ConcentratorDay>(COLLECT_DAY_QUEUE, this.deps.concurrency, (jobs) => this.runBatch(jobs));
    this.running = true;
    const tick = () => {
      this.scheduling = this.runDue().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'collection: scheduling failed; retried at the next tick'),
      );
    };
    this.timer = setInterval(tick, this.deps.scheduleEveryMs ?? COLLECTION_TICK_MS).unref();
    tick();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    await this.scheduling;
    await this.jobs.stop();
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  /** After start(): enqueues the collections due on the meters' clock (CollectionService.scheduleDue); returns them. */
  runDue(): Promise<ConcentratorDay[]> {
    return this.schedule((tx) => this.deps.collection.scheduleDue(tx));
  }

  /** After start(): enqueues the first collection of the last `days` days not scheduled yet (a platform's first start). */
  backfill(days: number): Promise<ConcentratorDay[]> {
    return this.schedule((tx) => this.deps.collection.scheduleBackfill(tx, days));
  }

  /** Marks the collections scheduled and enqueues their jobs in one transaction: neither without the other. */
  private schedule(pick: (tx: Stores) => Promise<ConcentratorDay[]>): Promise<ConcentratorDay[]> {
    return this.deps.storage.transaction(async (tx) => {
      const due = await pick(tx);
      if (due.length === 0) return due;
      const retry = this.deps.jobRetry ?? COLLECTION_JOB_RETRY;
      await this.boss.insert(
        due.map((job) => ({
          name: COLLECT_DAY_QUEUE,
          data: job,
          singletonKey: `${job.concentratorId}|${job.day}`,
          expireInSeconds: this.jobs.expirySeconds,
          retryLimit: retry.limit,
          retryDelay: retry.delaySeconds,
          retryBackoff: true,
        })),
        { db: tx.sql as PgBoss.Db },
      );
      return due;
    });
  }

  /** Each concentrator's read on its own: a job that throws is failed (retried with back-off), the others complete. */
  private async runBatch(jobs: PgBoss.JobWithMetadata<ConcentratorDay>[]): Promise<void> {
    await Promise.all(
      jobs.map(async (job) => {
        const { concentratorId, day } = job.data;
        try {
          const outcome = await this.deps.collection.collectConcentratorDay(concentratorId, day);
          this.deps.logger.debug({ concentratorId, day, ...outcome }, 'collection: concentrator read');
        } catch (error) {
          this.deps.logger.warn(
            { err: error, concentratorId, day, attempt: job.retryCount + 1 },
            'collection job failed; pg-boss retries it',
          );
          await this.boss.fail(COLLECT_DAY_QUEUE, job.id, { message: (error as Error).message });
        }
      }),
    );
  }

  /** As in telemanagement.workflow.ts: pg-boss 10's create_queue can deadlock when two workers start at once. */
  private async ensureQueue(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (await this.boss.getQueue(COLLECT_DAY_QUEUE)) return;
      try {
        await this.boss.createQueue(COLLECT_DAY_QUEUE, { name: COLLECT_DAY_QUEUE });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }
}
