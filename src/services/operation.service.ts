import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors.js';
import { OperationStatus, parseOperation, type MeterOperation, type OperationInput } from '../domain/meter-operation.js';
import { decodeCursor, isUuid, pageSize, podFilter, toPage, type Page } from './pagination.js';
import type { Clock, NewId, RequestWorkflow, Storage } from './ports.js';

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
  constructor(private readonly deps: {
    storage: Storage; clock: Clock; newId: NewId; workflow: Pick<RequestWorkflow, 'operationSubmitted'>;
  }) {}

  async submit(operator: { operatorId: string }, input: OperationInput): Promise<MeterOperation> {
    const parsed = parseOperation(input);
    if (!parsed.ok) throw invalidInput(parsed.issues);
    const { supplyPoint } = await this.deps.storage.supplyPoints.findForEligibility(parsed.pod);
    if (!supplyPoint) throw new DomainError(DomainErrorCode.notFound, `Supply point ${parsed.pod} not found`);
    if (!supplyPoint.concentratorId) {
      throw new DomainError(DomainErrorCode.notTelemanaged, `Supply point ${parsed.pod} has no concentrator: its meter cannot be reached over Chain 1`);
    }
    const operation: MeterOperation = {
      id: this.deps.newId(), operatorId: operator.operatorId, pod: parsed.pod, command: parsed.command,
      status: OperationStatus.submitted, reason: null, detail: null, attempts: null, registers: null,
      createdAt: this.deps.clock.now(), completedAt: null,
    };
    await this.deps.storage.operations.insert(operation);
    this.deps.workflow.operationSubmitted(operation.id);
    return operation;
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
      pod: podFilter(query.pod), status: query.status, beforeId: decodeCursor(query.cursor), limit: limit + 1,
    });
    return toPage(rows, limit, (o) => o.id);
  }
}
