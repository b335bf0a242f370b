import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors.js';
import {
  OperationStatus,
  parseOperation,
  type MeterOperation,
  type OperationInput,
} from '../domain/meter-operation.js';
import { decodeCursor, isUuid, pageSize, podFilter, toPage, type Page } from './pagination.js';
import type { Clock, FieldNetworkView, NewId, RequestWorkflow, Storage } from './ports/index.js';

export interface OperationListQuery {
  pod?: string;
  status?: OperationStatus;
  cursor?: string;
  limit?: number;
}

/**
 * Remote operations of DSO operators on meters (connect, disconnect, available power, band calendar, register
 * read): validated and saved at once, carried out over Chain 1 by the telemanagement workflow, each with its outcome.
 */
export class OperationService {
  constructor(
    private readonly deps: {
      storage: Storage;
      clock: Clock;
      newId: NewId;
      workflow: RequestWorkflow;
      /** Undefined in a process that does not see the workers' field network (ROLE=api without HEAD_END_URL). */
      fieldNetwork: FieldNetworkView | undefined;
    },
  ) {}

  async submit(operator: { operatorId: string }, input: OperationInput): Promise<MeterOperation> {
    const parsed = parseOperation(input);
    if (!parsed.ok) throw invalidInput(parsed.issues);
    const { supplyPoint } = await this.deps.storage.supplyPoints.findForEligibility(parsed.pod);
    if (!supplyPoint) throw new DomainError(DomainErrorCode.notFound, `Supply point ${parsed.pod} not found`);
    if (!supplyPoint.concentratorId) {
      throw new DomainError(
        DomainErrorCode.notTelemanaged,
        `Supply point ${parsed.pod} has no concentrator: its meter cannot be reached over Chain 1`,
      );
    }
    const operation: MeterOperation = {
      id: this.deps.newId(),
      operatorId: operator.operatorId,
      pod: parsed.pod,
      command: parsed.command,
      status: OperationStatus.submitted,
      reason: null,
      detail: null,
      attempts: null,
      registers: null,
      createdAt: this.deps.clock.now(),
      completedAt: null,
    };
    await this.deps.storage.operations.insert(operation);
    this.deps.workflow.wake();
    return operation;
  }

  /** Runs a failed operation again, as a new operation (the failed one stays as it was, for the record). */
  async retry(operator: { operatorId: string }, operationId: string): Promise<MeterOperation> {
    const failed = await this.get(operationId);
    if (failed.status !== OperationStatus.failed) {
      throw new DomainError(
        DomainErrorCode.conflict,
        `Operation ${operationId} is ${failed.status}: only a failed operation is retried`,
      );
    }
    return this.submit(operator, { pod: failed.pod, ...failed.command });
  }

  /** The field network as the head-end sees it: totals, and the busiest concentrators first. */
  async fieldNetworkStatus(busiest = 50) {
    if (!this.deps.fieldNetwork) {
      throw new DomainError(
        DomainErrorCode.unavailable,
        "This API process does not see the workers' field network: set HEAD_END_URL to the field-network service",
      );
    }
    const [concentrators, commands] = await Promise.all([
      this.deps.fieldNetwork.concentrators(),
      this.deps.fieldNetwork.counters(),
    ]);
    return {
      concentrators: concentrators.length,
      meters: concentrators.reduce((sum, c) => sum + c.meters, 0),
      queuedCommands: concentrators.reduce((sum, c) => sum + c.queueDepth, 0),
      busiest: [...concentrators]
        .sort((a, b) => b.queueDepth - a.queueDepth || a.concentratorId.localeCompare(b.concentratorId))
        .slice(0, busiest),
      commands,
    };
  }

  async get(operationId: string): Promise<MeterOperation> {
    const operation = isUuid(operationId) ? await this.deps.storage.operations.find(operationId) : undefined;
    if (!operation) throw new DomainError(DomainErrorCode.notFound, `Operation ${operationId} not found`);
    return operation;
  }

  /** Every operator's operations, newest first (the DSO's telemanagement view). */
  async list(query: OperationListQuery): Promise<Page<MeterOperation>> {
    const limit = pageSize(query.limit);
    const rows = await this.deps.storage.operations.list({
      pod: podFilter(query.pod),
      status: query.status,
      beforeId: decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return toPage(rows, limit, (o) => o.id);
  }
}
