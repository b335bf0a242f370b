import { RequestStatus } from '../domain/request.js';
import { meterCommandFor } from '../services/meter-programming.js';
import type { HeadEnd, SecretBox, Storage } from '../services/ports/index.js';
import type { RequestService } from '../services/request.service.js';
import { WORKFLOW_FAILURE, type JobKind } from './meter-job.js';

/** One job per request taken in charge: program (or clear) the meter through the head-end, record the outcome. */
export const PROGRAM_METER_QUEUE = 'program-meter';

export function programMeterJob(deps: { storage: Storage; requests: RequestService; headEnd: HeadEnd; secretBox: SecretBox }): JobKind {
  return {
    queue: PROGRAM_METER_QUEUE,
    runMany: (requestIds) => programMany(deps, requestIds),
    async giveUp(requestId) {
      await deps.storage.transaction(async (tx) => {
        const request = await tx.requests.findForUpdate(requestId);
        if (request && request.closedAt === null) await deps.requests.advance(tx, requestId, RequestStatus.failed, WORKFLOW_FAILURE);
      });
    },
  };
}

/**
 * Programs (or clears) the meters of a batch of requests: one transaction reads what to send, the commands go to
 * the head-end concurrently (concentrators work in parallel) with the request id as the idempotent command id, one
 * transaction records the outcomes. Only requests taken in charge are programmed (the sweep takes them in charge
 * before their job exists); one another attempt already closed is left alone.
 */
async function programMany(
  { storage, requests, headEnd, secretBox }: Parameters<typeof programMeterJob>[0], requestIds: string[],
): Promise<Map<string, unknown>> {
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
