import type PgBoss from 'pg-boss';
import type { Logger, SqlExecutor } from '../services/ports/index.js';

/** pg-boss's schema (the workflow creates it under this name). */
export const PG_BOSS_SCHEMA = 'pgboss';
/** How long stop() waits for the batches in progress before failing their jobs (retried by another worker). */
const STOP_GRACE_MS = 10_000;

export type BatchHandler<T> = (jobs: PgBoss.JobWithMetadata<T>[]) => Promise<void>;

/**
 * Carries out the jobs of pg-boss queues in batches, each held under a lease. pg-boss 10 has no heartbeat
 * (timgit/pg-boss#436, #579): its maintenance fails, hence retries, a job still `active` once `started_on + expire_in`
 * has passed, so a short `expire_in` brings a dead worker's jobs back soon but would also take a long batch from a
 * live worker. Here jobs are enqueued with a lease as `expire_in`, and while a batch runs its jobs' `started_on` is
 * moved to now every quarter of a lease: a live worker keeps its jobs however long its commands take, and the jobs of
 * a dead one come back a lease (plus pg-boss's maintenance interval) after its last sign of life. `started_on` keeps
 * its meaning: the last time a worker was known to be working on the job.
 *
 * The batches are fetched here, not by pg-boss's `work()`, which gives up waiting for a handler after `expire_in`
 * (as fetched) and fails its jobs: with a lease as `expire_in` it would cut every long batch short. The job timeout
 * is kept as pg-boss kept it: a batch still running after it has its jobs failed (retried), and is left to finish.
 *
 * A lease lost anyway (the event loop or the database stalled for three quarters of a lease) means a second run of a
 * job: harmless, since each command carries its request's or operation's id, which the meter recognises and answers
 * as before, and outcomes are recorded only for what is still open.
 */
export class LeasedJobs {
  private readonly running = new Set<Batch>();
  private readonly loops: Promise<void>[] = [];
  private readonly wakeUps = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private renewing = false;

  constructor(
    private readonly deps: {
      boss: PgBoss;
      sql: SqlExecutor;
      logger: Logger;
      pollMs: number;
      /** A job's lease: how long its worker may show no sign of life before it is taken for dead. */
      leaseSeconds: number;
      /** The job timeout: a batch running longer has its jobs failed, hence retried. */
      timeoutSeconds: number;
    },
  ) {}

  /** The expiry jobs are enqueued with: a lease, or the job timeout if that is shorter. */
  get expirySeconds(): number {
    return Math.min(this.deps.leaseSeconds, this.deps.timeoutSeconds);
  }

  /** Fetches batches of `queue` and runs `handler` on each until stop(); the jobs of a batch that throws are failed. */
  work<T>(queue: string, batchSize: number, handler: BatchHandler<T>): void {
    this.timer ??= setInterval(() => void this.renewAll(), (this.expirySeconds * 1000) / 4).unref();
    this.loops.push(this.loop(queue, batchSize, handler));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wakeUp of this.wakeUps) wakeUp();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    for (const batch of this.running) await this.failAll(batch, 'the worker stopped while it was running');
    clearInterval(this.timer);
  }

  /** Fetches again at once after a batch, else after `pollMs` (pg-boss's fetch answers no jobs on a database error). */
  private async loop<T>(queue: string, batchSize: number, handler: BatchHandler<T>): Promise<void> {
    while (!this.stopping) {
      const jobs = await this.deps.boss.fetch<T>(queue, { batchSize, includeMetadata: true });
      if (jobs.length > 0) await this.carryOut(queue, jobs, handler);
      else
        await new Promise<void>((resolve) => {
          const wakeUp = () => {
            clearTimeout(timer);
            this.wakeUps.delete(wakeUp);
            resolve();
          };
          const timer = setTimeout(wakeUp, this.deps.pollMs);
          this.wakeUps.add(wakeUp);
        });
    }
  }

  private async carryOut<T>(queue: string, jobs: PgBoss.JobWithMetadata<T>[], handler: BatchHandler<T>): Promise<void> {
    const batch: Batch = { queue, jobIds: jobs.map((job) => job.id) };
    this.running.add(batch);
    try {
      // At once: a dead letter comes with pg-boss's default expiry (15 minutes), not a lease.
      await this.renew(batch);
      const finished = handler(jobs).then(() => 'done' as const);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timed_out'>((resolve) => {
        timer = setTimeout(() => resolve('timed_out'), this.deps.timeoutSeconds * 1000);
      });
      const outcome = await Promise.race([finished, timedOut]).finally(() => clearTimeout(timer));
      if (outcome === 'timed_out') {
        finished.catch((error: unknown) =>
          this.deps.logger.warn({ err: error, queue }, 'a batch that timed out failed'),
        );
        await this.failAll(batch, `the batch ran longer than the job timeout (${this.deps.timeoutSeconds} s)`);
      } else {
        await this.deps.boss.complete(queue, batch.jobIds); // only those still active: the handler may have failed some
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, queue, jobs: jobs.length }, 'a batch of jobs failed; pg-boss retries them');
      await this.failAll(batch, (error as Error).message);
    } finally {
      this.running.delete(batch);
    }
  }

  private async failAll(batch: Batch, why: string): Promise<void> {
    try {
      await this.deps.boss.fail(batch.queue, batch.jobIds);
      this.deps.logger.warn(
        { queue: batch.queue, jobs: batch.jobIds.length, why },
        'jobs failed; pg-boss retries them',
      );
    } catch (error) {
      // They expire one lease after their last renewal, and are retried then.
      this.deps.logger.error(
        { err: error, queue: batch.queue, jobs: batch.jobIds.length, why },
        'could not fail jobs; they expire after their lease',
      );
    }
  }

  private async renewAll(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      for (const batch of this.running) await this.renew(batch);
    } finally {
      this.renewing = false;
    }
  }

  /** The batch's jobs expire one lease from now. */
  private async renew(batch: Batch): Promise<void> {
    try {
      await this.deps.sql.executeSql(
        `UPDATE ${PG_BOSS_SCHEMA}.job SET started_on = now(), expire_in = make_interval(secs => $3)
          WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`,
        [batch.queue, batch.jobIds, this.expirySeconds],
      );
    } catch (error) {
      // Not fatal: the next renewal may get through; if none does, the jobs expire and are run again.
      this.deps.logger.warn(
        { err: error, queue: batch.queue, jobs: batch.jobIds.length },
        'could not renew the lease of running jobs',
      );
    }
  }
}

interface Batch {
  queue: string;
  jobIds: string[];
}

/**
 * Fails (pg-boss's own `fail`: retried, or dead-lettered when out of attempts) the jobs of `queues` still `active`
 * with no sign of life since the database server started: every session of that time ended with it, so no worker is
 * carrying them out. On the embedded database the server starts with the one process that may use it, so these are
 * exactly the jobs its killed predecessor held, taken back at once instead of a lease later. On a PostgreSQL server they
 * are the jobs of workers that died with a restart of the server (a worker that survived it renews its leases within a
 * quarter of one; should it not have yet, a job runs twice, which is harmless).
 */
export async function takeBackOrphanedJobs(
  boss: PgBoss,
  sql: SqlExecutor,
  queues: string[],
  logger: Logger,
): Promise<number> {
  const { rows } = (await sql.executeSql(
    `SELECT name, id FROM ${PG_BOSS_SCHEMA}.job
      WHERE name = ANY($1::text[]) AND state = 'active' AND started_on < pg_postmaster_start_time()`,
    [queues],
  )) as { rows: { name: string; id: string }[] };
  for (const queue of queues) {
    const ids = rows.filter((row) => row.name === queue).map((row) => row.id);
    if (ids.length === 0) continue;
    await boss.fail(queue, ids);
    logger.warn(
      { queue, jobs: ids.length },
      'took back the jobs a worker held when the database started; pg-boss retries them',
    );
  }
  return rows.length;
}
