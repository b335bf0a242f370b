/** All stores, one transaction over them, and the paging every list uses. */
import type { AssociationStore } from './association.store.js';
import type { BulkUploadStore } from './bulk-upload.store.js';
import type { CollectionStore } from './collection.store.js';
import type { CredentialStore } from './credential.store.js';
import type { IdempotencyStore } from './idempotency.store.js';
import type { KpiComputeStore } from './kpi-compute.store.js';
import type { KpiFigureStore } from './kpi-figure.store.js';
import type { KpiReportStore } from './kpi-report.store.js';
import type { OnboardingStore } from './onboarding.store.js';
import type { OperationStore } from './operation.store.js';
import type { ParticipantStore } from './participant.store.js';
import type { RequestStore } from './request.store.js';
import type { SupplyPointStore } from './supply-point.store.js';
import type { TokenStore } from './token.store.js';

export interface PageQuery {
  /** Return items strictly older than this id (newest first). */
  beforeId?: string;
  limit: number;
}

export interface Stores {
  supplyPoints: SupplyPointStore;
  associations: AssociationStore;
  requests: RequestStore;
  participants: ParticipantStore;
  tokens: TokenStore;
  idempotency: IdempotencyStore;
  bulkUploads: BulkUploadStore;
  operations: OperationStore;
  onboarding: OnboardingStore;
  credentials: CredentialStore;
  kpiReports: KpiReportStore;
  kpiCompute: KpiComputeStore;
  kpiFigures: KpiFigureStore;
  collection: CollectionStore;
  sql: SqlExecutor;
}

/** Runs SQL on the same connection (and transaction) as the stores: for an adapter that writes beside them, such as a job queue. */
export interface SqlExecutor {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** All stores, and a transaction that gives the same stores bound to one database transaction. */
export interface Storage extends Stores {
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
  /** How many transactions may be open at once: the pool's connections (1 on the embedded database). */
  transactionsAtOnce: number;
}
