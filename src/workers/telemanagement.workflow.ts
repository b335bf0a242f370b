import PgBoss from 'pg-boss';
import { OperationStatus } from '../domain/meter-operation.js';
import { RequestStatus } from '../domain/request.js';
import { meterCommandFor } from '../services/meter-programming.js';
import type { Clock, HeadEnd, Logger, SecretBox, Storage, Stores } from '../services/ports.js';
import type { RequestService } from '../services/request.service.js';
import { SweepLoop } from './sweep-loop.js';
import type { RunnableWorkflow } from './workflow.js';

/** One job per request taken in charge: program (or clear) the meter through the head-end, record the outcome. */
export const PROGRAM_METER_QUEUE = 'program-meter';
/** One job per operator's remote operation (connect, disconnect, power, calendar, read). */
export const METER_OPERATION_QUEUE = 'meter-operation';
/** Each queue's jobs out of attempts (they kept throwing, or their workers kept dying) land in its dead-letter queue. */
const deadLettersOf = (queue: string) => `${queue}-dead`;
const SWEEP_BATCH = 500;
/** Retries of a job (pg-boss retries with back-off after a crash or a defect); then the request fails. */
const JOB_RETRY_LIMIT = 5;
export const WORKFLOW_FAILURE = 'workflow_error';
const DEAD_LETTER_RETRY_SECONDS = 30;

/** The job of either queue: the id of the request or operation it carries out. */
interface MeterJob {
  id: string;
}

/** What a queue's jobs do, and how their subject is closed when the job runs out of attempts. */
interface JobKind {
  queue: string;
  /** Carries out a batch of jobs; returns the failures by id (the others succeeded). May throw for the whole batch. */
  runMany(ids: string[]): Promise<Map<string, unknown>>;
  giveUp(id: string): Promise<void>;
}

export interface TelemanagementWorkflowDeps {
  storage: Storage;
  requests: RequestService;
  headEnd: HeadEnd;
  secretBox: SecretBox;
  clock: Clock;
  logger: Logger;
  pollMs: number;
  /** Jobs fetched and carried out as one batch by this process (their commands to different concentrators proceed in parallel). */
  concurrency: number;
  /** A job still active after this long is taken to have died with its worker, and is retried. */
  jobTimeoutSeconds: number;
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
 * without its job. Workers carry jobs out in batches (programMany). A worker killed mid-command leaves the job active;
 * pg-boss expires and retries it, and the command goes again with the request id as its command id, which the
 * meter recognises and does not apply twice. A job out of attempts (it kept throwing, or its workers kept
 * dying) goes to a dead-letter queue whose handler ends the request as `failed` (`workflow_error`): nothing stays open
 * for ever.
 */
export class TelemanagementWorkflow implements RunnableWorkflow {
  private readonly boss: PgBoss;
  private readonly sweeps: SweepLoop;
  private readonly jobKinds: JobKind[] = [
    { queue: PROGRAM_METER_QUEUE, runMany: (ids) => this.programMany(ids), giveUp: (id) => this.failRequest(id) },
    { queue: METER_OPERATION_QUEUE, runMany: (ids) => eachAlone(ids, (id) => this.operate(id)), giveUp: (id) => this.failOperation(id) },
  ];
  private running = false;

  constructor(private readonly deps: TelemanagementWorkflowDeps) {
    this.boss = new PgBoss({
      db: deps.storage.sql as PgBoss.Db, schema: 'pgboss', supervise: true, schedule: false,
      // Expired jobs (their worker died) are failed, hence retried, by this maintenance: look as often as they may expire.
      maintenanceIntervalSeconds: Math.min(120, Math.max(1, Math.ceil(deps.jobTimeoutSeconds / 2))),
    });
    this.boss.on('error', (error) => deps.logger.error({ err: error }, 'job queue error'));
    this.sweeps = new SweepLoop(() => this.sweep(), deps.pollMs, deps.logger);
  }

  submitted(_requestId: string): void {
    this.sweeps.wake();
  }

  operationSubmitted(_operationId: string): void {
    this.sweeps.wake();
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.boss.start();
    for (const kind of this.jobKinds) await this.startQueue(kind);
    this.running = true;
    this.sweeps.start();
  }

  private async startQueue(kind: JobKind): Promise<void> {
    await this.ensureQueue(deadLettersOf(kind.queue));
    await this.ensureQueue(kind.queue);
    await this.boss.work<MeterJob>(
      kind.queue,
      { batchSize: this.deps.concurrency, pollingIntervalSeconds: 0.5, includeMetadata: true },
      // A batch is carried out set-based; if it fails as a whole, each job is tried alone, so one bad job cannot
      // hold the others back. Each job succeeds or fails alone: pg-boss would fail the whole batch if the handler
      // threw, and completes only jobs still active, so one failed here stays failed (and is retried).
      async (jobs) => {
        const ids = jobs.map((job) => job.data.id);
        let failures: Map<string, unknown>;
        try {
          failures = await kind.runMany(ids);
        } catch (error) {
          this.deps.logger.warn({ err: error, queue: kind.queue, jobs: ids.length }, 'meter job batch failed; trying each job alone');
          failures = await eachAlone(ids, async (id) => {
            const failure = (await kind.runMany([id])).get(id);
            if (failure) throw failure;
          });
        }
        for (const job of jobs) {
          const error = failures.get(job.data.id);
          if (error === undefined) continue;
          this.deps.logger.warn({ err: error, queue: kind.queue, id: job.data.id, attempt: job.retryCount + 1 }, 'meter job failed; pg-boss retries it');
          await this.boss.fail(kind.queue, job.id, { message: (error as Error).message });
        }
      },
    );
    await this.boss.work<MeterJob>(deadLettersOf(kind.queue), { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) {
        this.deps.logger.error({ queue: kind.queue, id: job.data.id }, 'meter job ran out of attempts: its request or operation fails');
        try {
          await kind.giveUp(job.data.id);
        } catch (error) {
          // pg-boss retries a dead letter at once, so an outage would use its retries up: try again later, for as
          // long as it takes, so that nothing stays open for ever.
          this.deps.logger.error({ err: error, queue: kind.queue, id: job.data.id }, `could not fail it; trying again in ${DEAD_LETTER_RETRY_SECONDS} s`);
          await this.boss.send(deadLettersOf(kind.queue), job.data, { startAfter: DEAD_LETTER_RETRY_SECONDS });
        }
      }
    });
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
   * Queues submitted requests and operations and retries requests waiting for the quota; each job is enqueued in
   * the same transaction as the move, so nothing is queued without its job.
   */
  private async sweep(): Promise<number> {
    return this.deps.storage.transaction(async (tx) => {
      // Requests waiting for the bulk quota first, then new ones, each in id (= submission, = file line) order:
      // the quota takes them in charge first come, first served; only those taken in charge get a job.
      const waiting = await tx.requests.claim(RequestStatus.queued, SWEEP_BATCH, { waitingForQuota: true });
      const submitted = await tx.requests.claim(RequestStatus.submitted, SWEEP_BATCH);
      await this.deps.requests.advanceMany(tx, submitted.map((requestId) => ({ requestId, to: RequestStatus.queued })));
      const taken = (await this.deps.requests.takeInChargeMany(tx, [...waiting, ...submitted]))
        .filter((r) => r.status === RequestStatus.takenInCharge).map((r) => r.requestId);
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
    await this.boss.insert(ids.map((id) => ({
      name: queue, data: { id } satisfies MeterJob, singletonKey: id, expireInSeconds: this.deps.jobTimeoutSeconds,
      retryLimit: this.deps.jobRetry?.limit ?? JOB_RETRY_LIMIT, retryDelay: this.deps.jobRetry?.delaySeconds ?? 2, retryBackoff: true,
      deadLetter: deadLettersOf(queue),
    })), { db: tx.sql as PgBoss.Db });
  }

  private async failRequest(requestId: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const request = await tx.requests.findForUpdate(requestId);
      if (request && request.closedAt === null) await this.deps.requests.advance(tx, requestId, RequestStatus.failed, WORKFLOW_FAILURE);
    });
  }

  private async failOperation(operationId: string): Promise<void> {
    await this.deps.storage.operations.complete(operationId, {
      status: 'failed', attempts: null, at: this.deps.clock.now(), reason: WORKFLOW_FAILURE, detail: 'the operation\'s job ran out of attempts',
    });
  }

  /** Sends an operator's command with the operation id as its command id (a retry is not executed twice). */
  private async operate(operationId: string): Promise<void> {
    const operation = await this.deps.storage.operations.find(operationId);
    if (!operation || operation.completedAt !== null) return;
    const outcome = await this.deps.headEnd.send({ commandId: operationId, pod: operation.pod, command: operation.command });
    const at = outcome.completedAt;
    await this.deps.storage.operations.complete(operationId, outcome.status === 'done'
      ? { status: 'completed', attempts: outcome.attempts, at, registers: outcome.registers ?? null }
      : { status: 'failed', attempts: outcome.attempts, at, reason: outcome.reason, detail: outcome.detail });
  }

  /**
   * Programs (or clears) the meters of a batch of requests: one transaction takes them in charge and reads what to
   * send, the commands go to the head-end concurrently (concentrators work in parallel), one transaction records
   * the outcomes. Only requests taken in charge are programmed (the sweep takes them in charge before their job
   * exists); one another attempt already closed is left alone.
   */
  private async programMany(requestIds: string[]): Promise<Map<string, unknown>> {
    const { storage, requests, headEnd, secretBox } = this.deps;
    const work = await storage.transaction(async (tx) => {
      const ready = (await tx.requests.findManyForUpdate(requestIds)).filter((r) => r.status === RequestStatus.takenInCharge);
      const associations = await tx.associations.findMany(ready.map((r) => r.associationId));
      const keys = await tx.associations.sealedKeysOf(ready.filter((r) => !r.changes?.sealedKey).map((r) => r.associationId));
      return ready.map((request) => {
        const association = associations.get(request.associationId);
        if (!association) throw new Error(`request ${request.requestId} has no association`);
        return { request, command: meterCommandFor(secretBox, request, association, keys.get(request.associationId)) };
      });
    });
    const failures = new Map<string, unknown>();
    const outcomes: { requestId: string; to: RequestStatus; why: string | null }[] = [];
    await Promise.all(work.map(async ({ request, command }) => {
      try {
        const outcome = command ? await headEnd.send({ commandId: request.requestId, pod: request.pod, command }) : undefined;
        outcomes.push(outcome?.status === 'failed'
          ? { requestId: request.requestId, to: RequestStatus.failed, why: outcome.reason }
          : { requestId: request.requestId, to: RequestStatus.completed, why: null });
      } catch (error) {
        failures.set(request.requestId, error); // the head-end could not be reached: this job is retried
      }
    }));
    await storage.transaction(async (tx) => {
      const stillTaken = new Set((await tx.requests.findManyForUpdate(outcomes.map((o) => o.requestId)))
        .filter((r) => r.status === RequestStatus.takenInCharge).map((r) => r.requestId));
      // Only requests still taken in charge: another attempt may have recorded one first.
      await requests.advanceMany(tx, outcomes.filter((o) => stillTaken.has(o.requestId)));
    });
    return failures;
  }
}

/** Runs each id alone (concurrently); returns the failures by id. */
async function eachAlone(ids: string[], run: (id: string) => Promise<void>): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>();
  await Promise.all(ids.map(async (id) => {
    try {
      await run(id);
    } catch (error) {
      failures.set(id, error);
    }
  }));
  return failures;
}
