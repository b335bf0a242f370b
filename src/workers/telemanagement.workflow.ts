import PgBoss from 'pg-boss';
import { OperationStatus } from '../domain/meter-operation.js';
import { RequestStatus } from '../domain/request.js';
import type { Clock, HeadEnd, Logger, SecretBox, Storage, Stores } from '../services/ports/index.js';
import { MeterProgrammingService } from '../services/meter-programming.js';
import type { RequestService } from '../services/request.service.js';
import { LeasedJobs, PG_BOSS_SCHEMA, takeBackOrphanedJobs } from './leased-jobs.js';
import { eachAlone, type JobKind, type MeterJob } from './meter-job.js';
import { METER_OPERATION_QUEUE, meterOperationJob } from './meter-operation.job.js';
import { PROGRAM_METER_QUEUE, programMeterJob } from './program-meter.job.js';
import { SweepLoop } from './sweep-loop.js';
import type { RunnableWorkflow } from './workflow.js';

/** Each queue's jobs out of attempts (they kept throwing, or their workers kept dying) land in its dead-letter queue. */
const deadLettersOf = (queue: string) => `${queue}-dead`;
const SWEEP_BATCH = 500;
/** Retries of a job (pg-boss retries with back-off after a crash or a defect); then the request fails. */
const JOB_RETRY_LIMIT = 5;
const DEAD_LETTER_RETRY_SECONDS = 30;
/**
 * How long a job outlives the last sign of life of the worker carrying it out (leased-jobs.ts): a dead worker's jobs
 * come back about this long after it died, plus up to half of it (pg-boss's maintenance interval) and a retry delay.
 */
export const DEFAULT_JOB_LEASE_SECONDS = 20;

export interface TelemanagementWorkflowDeps {
  storage: Storage;
  requests: RequestService;
  /** Commands only: the daily read belongs to the collection. */
  headEnd: Pick<HeadEnd, 'send'>;
  secretBox: SecretBox;
  clock: Clock;
  logger: Logger;
  pollMs: number;
  /** Jobs fetched and carried out as one batch by this process (their commands to different concentrators proceed in parallel). */
  concurrency: number;
  /** A batch of jobs still running after this long has its jobs retried, even if its worker is alive (a command that hangs). */
  jobTimeoutSeconds: number;
  /** A job whose worker has shown no sign of life for this long is taken to have died with it, and is retried. */
  jobLeaseSeconds?: number;
  /** Attempts after the first, and the delay before the first retry (doubling after): tests shorten them. */
  jobRetry?: { limit: number; delaySeconds: number };
}

/**
 * The request workflow: submitted → queued → taken_in_charge (within the bulk quota) → the meter is programmed
 * over Chain 1 → completed, or failed with the head-end's reason (`meter_unreachable`, `link_timeout`, …). Operators'
 * remote operations go the same way on a queue of their own: submitted → queued → completed | failed.
 *
 * Durable and crash-safe: a sweep moves submitted requests to queued, takes them in charge within the bulk quota and
 * enqueues a pg-boss job for each one taken in charge, all in one transaction, so no request is taken in charge
 * without its job. Workers carry jobs out in batches (program-meter.job.ts, meter-operation.job.ts), holding a lease on
 * them (leased-jobs.ts). A worker killed mid-command leaves its jobs active: pg-boss expires them one lease later and
 * retries them — at once, when the database has started since (the embedded database's next process) — and the
 * command goes again with the request id as its command id, which the meter recognises and does not apply twice. A
 * job out of attempts (it kept throwing, or its workers kept dying) goes to a dead-letter queue whose handler ends the
 * request as `failed` (`workflow_error`): nothing stays open for ever.
 */
export class TelemanagementWorkflow implements RunnableWorkflow {
  private readonly boss: PgBoss;
  private readonly sweeps: SweepLoop;
  /** The sweep running in this process, if any: sweeps run one after the other (see sweep()). */
  private sweeping: Promise<unknown> = Promise.resolve();
  private readonly jobKinds: JobKind[];
  private readonly jobs: LeasedJobs;
  private running = false;

  constructor(private readonly deps: TelemanagementWorkflowDeps) {
    this.jobKinds = [programMeterJob(new MeterProgrammingService(deps)), meterOperationJob(deps)];
    const leaseSeconds = Math.min(deps.jobLeaseSeconds ?? DEFAULT_JOB_LEASE_SECONDS, deps.jobTimeoutSeconds);
    this.boss = new PgBoss({
      db: deps.storage.sql as PgBoss.Db,
      schema: PG_BOSS_SCHEMA,
      supervise: true,
      schedule: false,
      // Expired jobs (their worker died) are failed, hence retried, by this maintenance: look as often as they may expire.
      maintenanceIntervalSeconds: Math.min(120, Math.max(1, Math.ceil(leaseSeconds / 2))),
    });
    this.boss.on('error', (error) => deps.logger.error({ err: error }, 'job queue error'));
    this.jobs = new LeasedJobs({
      boss: this.boss,
      sql: deps.storage.sql,
      logger: deps.logger,
      pollMs: 500,
      leaseSeconds,
      timeoutSeconds: deps.jobTimeoutSeconds,
    });
    this.sweeps = new SweepLoop(() => this.sweep(), deps.pollMs, deps.logger);
  }

  wake(): void {
    this.sweeps.wake();
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.boss.start();
    const queues = this.jobKinds.flatMap((kind) => [kind.queue, deadLettersOf(kind.queue)]);
    for (const queue of queues) await this.ensureQueue(queue);
    // Before working: what a predecessor held when it died is retried now, not a lease later.
    await takeBackOrphanedJobs(this.boss, this.deps.storage.sql, queues, this.deps.logger);
    for (const kind of this.jobKinds) this.startQueue(kind);
    this.running = true;
    this.sweeps.start();
  }

  private startQueue(kind: JobKind): void {
    this.jobs.work<MeterJob>(kind.queue, this.deps.concurrency, (jobs) => this.runBatch(kind, jobs));
    this.jobs.work<MeterJob>(deadLettersOf(kind.queue), 100, (jobs) => this.giveUp(kind, jobs));
  }

  /**
   * A batch is carried out set-based; if it fails as a whole, each job is tried alone, so one bad job cannot hold the
   * others back. Each job succeeds or fails alone: the jobs failed here are retried, the others are completed.
   */
  private async runBatch(kind: JobKind, jobs: PgBoss.JobWithMetadata<MeterJob>[]): Promise<void> {
    const ids = jobs.map((job) => job.data.id);
    let failures: Map<string, unknown>;
    try {
      failures = await kind.runMany(ids);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, queue: kind.queue, jobs: ids.length },
        'meter job batch failed; trying each job alone',
      );
      failures = await eachAlone(ids, async (id) => {
        const failure = (await kind.runMany([id])).get(id);
        if (failure) throw failure;
      });
    }
    for (const job of jobs) {
      const error = failures.get(job.data.id);
      if (error === undefined) continue;
      this.deps.logger.warn(
        { err: error, queue: kind.queue, id: job.data.id, attempt: job.retryCount + 1 },
        'meter job failed; pg-boss retries it',
      );
      await this.boss.fail(kind.queue, job.id, { message: (error as Error).message });
    }
  }

  /** Dead letters: the request or operation of a job out of attempts fails. */
  private async giveUp(kind: JobKind, jobs: PgBoss.Job<MeterJob>[]): Promise<void> {
    for (const job of jobs) {
      this.deps.logger.error(
        { queue: kind.queue, id: job.data.id },
        'meter job ran out of attempts: its request or operation fails',
      );
      try {
        await kind.giveUp(job.data.id);
      } catch (error) {
        // pg-boss retries a dead letter at once, so an outage would use its retries up: try again later, for as
        // long as it takes, so that nothing stays open for ever.
        this.deps.logger.error(
          { err: error, queue: kind.queue, id: job.data.id },
          `could not fail it; trying again in ${DEAD_LETTER_RETRY_SECONDS} s`,
        );
        await this.boss.send(deadLettersOf(kind.queue), job.data, { startAfter: DEAD_LETTER_RETRY_SECONDS });
      }
    }
  }

  /**
   * pg-boss 10's create_queue can deadlock when two workers start at once (seen on PostgreSQL 15): the loser
   * looks again and goes on once the queue exists. Retry and expiry policies travel with each job (`enqueue`).
   */
  private async ensureQueue(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (await this.boss.getQueue(name)) return;
      try {
        await this.boss.createQueue(name, { name });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.sweeps.stop();
    await this.jobs.stop();
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  async drain(): Promise<void> {
    for (;;) {
      await this.sweep();
      const { requests, operations } = this.deps.storage;
      if ((await requests.countInFlight()) === 0 && (await operations.countOpen()) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * One sweep at a time in a process: drain() must see what the loop's sweep moved, not skip the rows that sweep
   * holds locked (SKIP LOCKED) and then find nothing in flight before it commits.
   */
  private sweep(): Promise<number> {
    const next = this.sweeping.then(
      () => this.sweepOnce(),
      () => this.sweepOnce(),
    );
    this.sweeping = next.catch(() => undefined);
    return next;
  }

  /**
   * Queues submitted requests and operations and retries requests waiting for the quota; each job is enqueued in
   * the same transaction as the move, so nothing is queued without its job.
   */
  private async sweepOnce(): Promise<number> {
    return this.deps.storage.transaction(async (tx) => {
      // Requests waiting for the bulk quota first, then new ones, each in id (= submission, = file line) order:
      // the quota takes them in charge first come, first served; only those taken in charge get a job.
      const waiting = await tx.requests.claim(RequestStatus.queued, SWEEP_BATCH, { waitingForQuota: true });
      const submitted = await tx.requests.claim(RequestStatus.submitted, SWEEP_BATCH);
      await this.deps.requests.advanceMany(
        tx,
        submitted.map((requestId) => ({ requestId, to: RequestStatus.queued })),
      );
      const taken = (await this.deps.requests.takeInChargeMany(tx, [...waiting, ...submitted]))
        .filter((r) => r.status === RequestStatus.takenInCharge)
        .map((r) => r.requestId);
      await this.enqueue(tx, PROGRAM_METER_QUEUE, taken);
      const operations = await tx.operations.claim(OperationStatus.submitted, SWEEP_BATCH);
      await tx.operations.markQueued(operations, this.deps.clock.now());
      await this.enqueue(tx, METER_OPERATION_QUEUE, operations);
      return submitted.length + taken.length + operations.length;
    });
  }

  /** One insert for the batch, in the caller's transaction; policies travel with each job (a queue keeps its first options). */
  private async enqueue(tx: Stores, queue: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.boss.insert(
      ids.map((id) => ({
        name: queue,
        data: { id } satisfies MeterJob,
        singletonKey: id,
        expireInSeconds: this.jobs.expirySeconds,
        retryLimit: this.deps.jobRetry?.limit ?? JOB_RETRY_LIMIT,
        retryDelay: this.deps.jobRetry?.delaySeconds ?? 2,
        retryBackoff: true,
        deadLetter: deadLettersOf(queue),
      })),
      { db: tx.sql as PgBoss.Db },
    );
  }
}
