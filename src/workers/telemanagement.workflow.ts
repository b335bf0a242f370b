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
const SWEEP_BATCH = 100;
/** Retries of a job (pg-boss retries with back-off after a crash or a defect); then the request fails. */
const JOB_RETRY_LIMIT = 5;
export const WORKFLOW_FAILURE = 'workflow_error';

/** The job of either queue: the id of the request or operation it carries out. */
interface MeterJob {
  id: string;
}

/** What a queue's jobs do, and how their subject is closed when the job runs out of attempts. */
interface JobKind {
  queue: string;
  run(id: string): Promise<void>;
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
  /** Jobs handled at once by this process (commands to different concentrators proceed in parallel). */
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
 * Durable and crash-safe: a sweep moves submitted requests to queued and enqueues their pg-boss job in the same
 * transaction, so a request is never queued without its job. A worker killed mid-command leaves the job active;
 * pg-boss expires and retries it, and the command goes again with the request id as its command id, which the
 * meter recognises and does not apply twice. A job out of attempts (it kept throwing, or its workers kept
 * dying) goes to a dead-letter queue whose handler ends the request as `failed` (`workflow_error`): nothing stays open
 * for ever.
 */
export class TelemanagementWorkflow implements RunnableWorkflow {
  private readonly boss: PgBoss;
  private readonly sweeps: SweepLoop;
  private readonly jobKinds: JobKind[] = [
    { queue: PROGRAM_METER_QUEUE, run: (id) => this.program(id), giveUp: (id) => this.failRequest(id) },
    { queue: METER_OPERATION_QUEUE, run: (id) => this.operate(id), giveUp: (id) => this.failOperation(id) },
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
      // Each job succeeds or fails alone: pg-boss would fail the whole batch if the handler threw, and completes
      // only jobs still active, so one failed here stays failed (and is retried) while the others complete.
      async (jobs) => {
        await Promise.all(jobs.map(async (job) => {
          try {
            await kind.run(job.data.id);
          } catch (error) {
            this.deps.logger.warn({ err: error, queue: kind.queue, id: job.data.id, attempt: job.retryCount + 1 }, 'meter job failed; pg-boss retries it');
            await this.boss.fail(kind.queue, job.id, { message: (error as Error).message });
          }
        }));
      },
    );
    await this.boss.work<MeterJob>(deadLettersOf(kind.queue), { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) {
        this.deps.logger.error({ queue: kind.queue, id: job.data.id }, 'meter job ran out of attempts: its request or operation fails');
        await kind.giveUp(job.data.id);
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
      let moved = 0;
      for (const requestId of await tx.requests.claim(RequestStatus.submitted, SWEEP_BATCH)) {
        await this.deps.requests.advance(tx, requestId, RequestStatus.queued);
        await this.enqueue(tx, PROGRAM_METER_QUEUE, requestId);
        moved++;
      }
      for (const requestId of await tx.requests.claim(RequestStatus.queued, SWEEP_BATCH, { waitingForQuota: true })) {
        if ((await this.deps.requests.takeInCharge(tx, requestId)).status !== RequestStatus.takenInCharge) continue;
        await this.enqueue(tx, PROGRAM_METER_QUEUE, requestId);
        moved++;
      }
      for (const operationId of await tx.operations.claim(OperationStatus.submitted, SWEEP_BATCH)) {
        await tx.operations.markQueued(operationId, this.deps.clock.now());
        await this.enqueue(tx, METER_OPERATION_QUEUE, operationId);
        moved++;
      }
      return moved;
    });
  }

  private async enqueue(tx: Stores, queue: string, id: string): Promise<void> {
    // Policies travel with each job: a queue keeps the options it was first created with.
    await this.boss.send(queue, { id } satisfies MeterJob, {
      db: tx.sql as PgBoss.Db, singletonKey: id, expireInSeconds: this.deps.jobTimeoutSeconds,
      retryLimit: this.deps.jobRetry?.limit ?? JOB_RETRY_LIMIT, retryDelay: this.deps.jobRetry?.delaySeconds ?? 2, retryBackoff: true,
      deadLetter: deadLettersOf(queue),
    });
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

  private async program(requestId: string): Promise<void> {
    const { storage, requests, headEnd, secretBox } = this.deps;
    const work = await storage.transaction(async (tx) => {
      const request = await tx.requests.findForUpdate(requestId);
      if (!request || request.closedAt !== null) return undefined;
      if (request.status === RequestStatus.queued && (await requests.takeInCharge(tx, requestId)).status !== RequestStatus.takenInCharge) {
        return undefined; // waiting for the bulk quota: a later sweep takes it in charge and enqueues it again
      }
      const association = await tx.associations.find(request.associationId);
      if (!association) throw new Error(`request ${requestId} has no association`);
      return { pod: request.pod, command: await meterCommandFor(tx, secretBox, request, association) };
    });
    if (!work) return;
    const outcome = work.command ? await headEnd.send({ commandId: requestId, pod: work.pod, command: work.command }) : undefined;
    await storage.transaction(async (tx) => {
      const request = await tx.requests.findForUpdate(requestId);
      if (request?.status !== RequestStatus.takenInCharge) return; // another attempt recorded it first
      if (outcome?.status === 'failed') await requests.advance(tx, requestId, RequestStatus.failed, outcome.reason);
      else await requests.advance(tx, requestId, RequestStatus.completed);
    });
  }
}
