import type { MacAddress } from '../domain/identifiers.js';
import type { DuKey } from '../domain/identifiers.js';
import type { MeterCommand } from '../domain/meter-command.js';
import { RequestKind } from '../domain/request.js';
import { RequestStatus } from '../domain/request.js';
import type { DuChanges, HeadEnd, SecretBox, Storage } from './ports/index.js';
import type { RequestService } from './request.service.js';
import type { Association } from '../domain/association.js';

/**
 * What a request asks of the meter over Chain 1: a create programs the DU's MAC and key, a delete clears them,
 * a modify reprograms only if the MAC or the key changed (name and versions live in the platform, not the meter).
 * Undefined: nothing to send, the request completes without Chain 1 traffic.
 */
export function meterCommandFor(
  secretBox: SecretBox,
  request: { kind: RequestKind; associationId: string; changes: DuChanges | null },
  association: Association,
  /** The association's sealed key: needed unless a modify brings a new one. */
  associationKey: Uint8Array | undefined,
): MeterCommand | undefined {
  if (request.kind === RequestKind.delete) return { kind: 'clear_chain2' };
  const changes = request.kind === RequestKind.modify ? (request.changes ?? {}) : {};
  if (request.kind === RequestKind.modify && !changes.macAddress && !changes.sealedKey) return undefined;
  const sealed = changes.sealedKey ?? associationKey;
  if (!sealed) throw new Error(`association ${request.associationId} has no sealed key`);
  return {
    kind: 'program_chain2',
    macAddress: (changes.macAddress ?? association.du.macAddress) as MacAddress,
    encryptionKey: secretBox.open(sealed) as DuKey,
  };
}

/**
 * Carries out requests taken in charge over Chain 1: programs (or clears) their meters through the head-end and
 * records each outcome. The request workflow calls it from its jobs (workers/program-meter.job.ts).
 */
export class MeterProgrammingService {
  constructor(
    private readonly deps: {
      storage: Storage;
      requests: RequestService;
      headEnd: Pick<HeadEnd, 'send'>;
      secretBox: SecretBox;
    },
  ) {}

  /**
   * A batch of requests: one transaction reads what to send, the commands go to the head-end concurrently
   * (concentrators work in parallel) with the request id as the idempotent command id, one transaction records the
   * outcomes — the association's activity on the meter's clock (the head-end's acknowledgement). Only requests taken
   * in charge are programmed (the sweep takes them in charge before their job exists); one another attempt already
   * closed is left alone. Returns the requests whose head-end could not be reached (their jobs are retried).
   */
  async program(requestIds: readonly string[]): Promise<Map<string, unknown>> {
    const { storage, requests, headEnd, secretBox } = this.deps;
    const work = await storage.transaction(async (tx) => {
      const ready = (await tx.requests.findManyForUpdate(requestIds)).filter(
        (r) => r.status === RequestStatus.takenInCharge,
      );
      const associations = await tx.associations.findMany(ready.map((r) => r.associationId));
      const keys = await tx.associations.sealedKeysOf(
        ready.filter((r) => !r.changes?.sealedKey).map((r) => r.associationId),
      );
      return ready.map((request) => {
        const association = associations.get(request.associationId);
        if (!association) throw new Error(`request ${request.requestId} has no association`);
        return { request, command: meterCommandFor(secretBox, request, association, keys.get(request.associationId)) };
      });
    });
    const unreachable = new Map<string, unknown>();
    const outcomes: { requestId: string; to: RequestStatus; why: string | null; meterAt?: Date }[] = [];
    await Promise.all(
      work.map(async ({ request, command }) => {
        try {
          const outcome = command
            ? await headEnd.send({ commandId: request.requestId, pod: request.pod, command })
            : undefined;
          outcomes.push(
            outcome?.status === 'failed'
              ? { requestId: request.requestId, to: RequestStatus.failed, why: outcome.reason }
              : { requestId: request.requestId, to: RequestStatus.completed, why: null, meterAt: outcome?.completedAt },
          );
        } catch (error) {
          unreachable.set(request.requestId, error);
        }
      }),
    );
    await storage.transaction(async (tx) => {
      const stillTaken = new Set(
        (await tx.requests.findManyForUpdate(outcomes.map((o) => o.requestId)))
          .filter((r) => r.status === RequestStatus.takenInCharge)
          .map((r) => r.requestId),
      );
      // Only requests still taken in charge: another attempt may have recorded one first.
      await requests.advanceMany(
        tx,
        outcomes.filter((o) => stillTaken.has(o.requestId)),
      );
    });
    return unreachable;
  }

  /** Ends a request still open as failed with `reason` (its job ran out of attempts). */
  async fail(requestId: string, reason: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const request = await tx.requests.findForUpdate(requestId);
      if (request && request.closedAt === null)
        await this.deps.requests.advance(tx, requestId, RequestStatus.failed, reason);
    });
  }
}
