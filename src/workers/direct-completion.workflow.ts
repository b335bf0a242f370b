import { RequestStatus } from '../domain/request.js';
import type { Logger, Storage } from '../services/ports/index.js';
import type { RequestService } from '../services/request.service.js';
import { SweepLoop } from './sweep-loop.js';
import type { RunnableWorkflow } from './workflow.js';

const BATCH = 50;

/**
 * STAND-IN for the telemanagement workflow (issue #3): moves every submitted request through
 * queued → taken_in_charge (within the bulk quota) → completed at once, WITHOUT programming any meter.
 * What is real: it is durable (it sweeps the database, so requests submitted before a restart or by another
 * process are completed), concurrent sweepers skip each other's rows, and the outcome is applied by the same
 * RequestService.advance that the real workflow will call.
 */
export class DirectCompletionWorkflow implements RunnableWorkflow {
  private readonly sweeps: SweepLoop;
  private started = false;

  constructor(
    private readonly storage: Storage,
    private readonly requests: RequestService,
    pollMs: number,
    private readonly logger: Logger,
  ) {
    this.sweeps = new SweepLoop(() => this.sweep(), pollMs, logger);
  }

  /** The stand-in has no head-end: remote operations stay `submitted` until a telemanagement workflow runs. */
  wake(): void {
    this.sweeps.wake();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.logger.warn(
      { workflow: 'direct-completion' },
      'request workflow is the STAND-IN: requests are completed without programming any meter (REQUEST_WORKFLOW=direct)',
    );
    this.sweeps.start();
  }

  async stop(): Promise<void> {
    await this.sweeps.stop();
  }

  /** Completes every request submitted so far; for tests and the demo seed. */
  async drain(): Promise<void> {
    while ((await this.sweep()) > 0);
  }

  /** Returns how many requests moved on (0 when only quota-deferred requests are waiting). */
  private async sweep(): Promise<number> {
    return this.storage.transaction(async (tx) => {
      let moved = 0;
      for (const requestId of await tx.requests.claim(RequestStatus.submitted, BATCH)) {
        await this.requests.advance(tx, requestId, RequestStatus.queued);
        moved++;
      }
      // Requests waiting for the bulk quota are looked at apart, so that they never hold up the others.
      const queued = [
        ...(await tx.requests.claim(RequestStatus.queued, BATCH, { waitingForQuota: false })),
        ...(await tx.requests.claim(RequestStatus.queued, BATCH, { waitingForQuota: true })),
      ];
      for (const requestId of queued) {
        const taken = await this.requests.takeInCharge(tx, requestId);
        if (taken.status !== RequestStatus.takenInCharge) continue;
        const done = await this.requests.advance(tx, requestId, RequestStatus.completed);
        this.logger.debug(
          { requestId, kind: done.kind, status: done.status, reason: done.reason },
          'request completed by the stand-in workflow (no meter programmed)',
        );
        moved++;
      }
      return moved;
    });
  }
}
