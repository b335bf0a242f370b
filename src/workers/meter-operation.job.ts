import type { Clock, HeadEnd, Storage } from '../services/ports/index.js';
import { eachAlone, WORKFLOW_FAILURE, type JobKind } from './meter-job.js';

/** One job per operator's remote operation (connect, disconnect, power, calendar, read). */
export const METER_OPERATION_QUEUE = 'meter-operation';

export function meterOperationJob(deps: { storage: Storage; headEnd: Pick<HeadEnd, 'send'>; clock: Clock }): JobKind {
  const { storage, headEnd, clock } = deps;
  return {
    queue: METER_OPERATION_QUEUE,
    // Sends each operator's command with the operation id as its command id (a retry is not executed twice).
    runMany: (operationIds) =>
      eachAlone(operationIds, async (operationId) => {
        const operation = await storage.operations.find(operationId);
        if (!operation || operation.completedAt !== null) return;
        const outcome = await headEnd.send({ commandId: operationId, pod: operation.pod, command: operation.command });
        const at = outcome.completedAt;
        await storage.operations.complete(
          operationId,
          outcome.status === 'done'
            ? { status: 'completed', attempts: outcome.attempts, at, registers: outcome.registers ?? null }
            : { status: 'failed', attempts: outcome.attempts, at, reason: outcome.reason, detail: outcome.detail },
        );
      }),
    async giveUp(operationId) {
      await storage.operations.complete(operationId, {
        status: 'failed',
        attempts: null,
        at: clock.now(),
        reason: WORKFLOW_FAILURE,
        detail: "the operation's job ran out of attempts",
      });
    },
  };
}
