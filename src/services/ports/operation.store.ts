/** Operators' remote operations on meters. */
import type { MeterRegisters } from '../../domain/meter-command.js';
import type { MeterOperation, OperationFailure, OperationStatus } from '../../domain/meter-operation.js';

export interface OperationFilter {
  pod?: string;
  status?: OperationStatus;
  beforeId?: string;
  limit: number;
}

export interface OperationStore {
  insert(operation: MeterOperation): Promise<void>;
  find(operationId: string): Promise<MeterOperation | undefined>;
  list(filter: OperationFilter): Promise<MeterOperation[]>;
  /** Ids of the oldest operations in `status`, locked and skipped by concurrent claimers (FOR UPDATE SKIP LOCKED). */
  claim(status: OperationStatus, limit: number): Promise<string[]>;
  markQueued(operationIds: readonly string[], at: Date): Promise<void>;
  /** The final outcome; only an operation still open changes (false when another attempt recorded it first). */
  complete(operationId: string, outcome: OperationOutcome): Promise<boolean>;
  countOpen(): Promise<number>;
}

export type OperationOutcome =
  | { status: 'completed'; attempts: number; at: Date; registers: MeterRegisters | null }
  | { status: 'failed'; attempts: number | null; at: Date; reason: OperationFailure; detail: string };
