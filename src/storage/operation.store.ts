import { sql, type Kysely, type Selectable } from 'kysely';
import type { Pod } from '../domain/identifiers.js';
import type { MeterRegisters } from '../domain/meter-command.js';
import type { MeterOperation, OperationCommand, OperationFailure, OperationStatus } from '../domain/meter-operation.js';
import type { OperationFilter, OperationOutcome, OperationStore } from '../services/ports/index.js';
import type { Database, MeterOperationsTable } from './schema.js';

export class SqlOperationStore implements OperationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(o: MeterOperation): Promise<void> {
    const { kind, ...parameters } = o.command;
    await this.db
      .insertInto('meter_operations')
      .values({
        operation_id: o.id,
        operator_id: o.operatorId,
        pod: o.pod,
        kind,
        parameters: Object.keys(parameters).length > 0 ? JSON.stringify(parameters) : null,
        status: o.status,
        reason: o.reason,
        detail: o.detail,
        attempts: o.attempts,
        registers: null,
        created_at: o.createdAt,
        updated_at: o.createdAt,
        completed_at: o.completedAt,
      })
      .execute();
  }

  async find(operationId: string): Promise<MeterOperation | undefined> {
    const row = await this.db
      .selectFrom('meter_operations')
      .selectAll()
      .where('operation_id', '=', operationId)
      .executeTakeFirst();
    return row && toOperation(row);
  }

  async list(filter: OperationFilter): Promise<MeterOperation[]> {
    let query = this.db.selectFrom('meter_operations').selectAll();
    if (filter.pod) query = query.where('pod', '=', filter.pod);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('operation_id', '<', filter.beforeId);
    return (await query.orderBy('operation_id', 'desc').limit(filter.limit).execute()).map(toOperation);
  }

  async claim(status: OperationStatus, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('meter_operations')
      .select('operation_id')
      .where('status', '=', status)
      .where('completed_at', 'is', null)
      .orderBy('operation_id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map((r) => r.operation_id);
  }

  async markQueued(operationIds: readonly string[], at: Date): Promise<void> {
    if (operationIds.length === 0) return;
    await this.db
      .updateTable('meter_operations')
      .set({ status: 'queued', updated_at: at })
      .where('operation_id', '=', sql<string>`ANY(${[...operationIds]}::uuid[])`)
      .execute();
  }

  async complete(operationId: string, outcome: OperationOutcome): Promise<boolean> {
    const result = await this.db
      .updateTable('meter_operations')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        updated_at: outcome.at,
        completed_at: outcome.at,
        ...(outcome.status === 'completed'
          ? { registers: outcome.registers && JSON.stringify(outcome.registers) }
          : { reason: outcome.reason, detail: outcome.detail }),
      })
      .where('operation_id', '=', operationId)
      .where('completed_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async countOpen(): Promise<number> {
    const row = await this.db
      .selectFrom('meter_operations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('completed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toOperation(row: Selectable<MeterOperationsTable>): MeterOperation {
  const registers = row.registers as (Omit<MeterRegisters, 'readAt'> & { readAt: string }) | null;
  return {
    id: row.operation_id,
    operatorId: row.operator_id,
    pod: row.pod as Pod,
    command: { kind: row.kind, ...row.parameters } as OperationCommand,
    status: row.status as OperationStatus,
    reason: row.reason as OperationFailure | null,
    detail: row.detail,
    attempts: row.attempts,
    registers: registers && { ...registers, readAt: new Date(registers.readAt) },
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
