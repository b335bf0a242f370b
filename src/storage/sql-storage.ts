import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlExecutor, Storage, Stores } from '../services/ports/index.js';
import { SqlAssociationStore } from './association.store.js';
import { SqlBulkUploadStore } from './bulk-upload.store.js';
import { SqlCollectionStore } from './collection.store.js';
import { SqlCredentialStore } from './credential.store.js';
import type { OpenDatabase } from './database.js';
import { SqlIdempotencyStore } from './idempotency.store.js';
import { SqlKpiComputeStore } from './kpi-compute.store.js';
import { SqlKpiFigureStore } from './kpi-figure.store.js';
import { SqlKpiReportStore } from './kpi-report.store.js';
import { SqlOnboardingStore } from './onboarding.store.js';
import { SqlOperationStore } from './operation.store.js';
import { SqlParticipantStore } from './participant.store.js';
import { SqlTokenStore } from './token.store.js';
import { SqlRequestStore } from './request.store.js';
import type { Database } from './schema.js';
import { SqlSupplyPointStore } from './supply-point.store.js';

/**
 * Outside a transaction, SQL from an adapter (pg-boss sends multi-statement scripts with their own BEGIN/COMMIT)
 * runs on a pooled connection that is rolled back on error, so no connection goes back to the pool inside an
 * aborted transaction.
 */
function poolExecutor(open: OpenDatabase): SqlExecutor {
  return {
    async executeSql(text, values) {
      const client = await open.pool.connect();
      try {
        return await client.query(text, values);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

function storesOn(db: Kysely<Database>, open: OpenDatabase, inTransaction: boolean): Stores {
  return {
    supplyPoints: new SqlSupplyPointStore(db, open, { batchLookups: !inTransaction }),
    associations: new SqlAssociationStore(db),
    requests: new SqlRequestStore(db),
    participants: new SqlParticipantStore(db),
    tokens: new SqlTokenStore(db),
    idempotency: new SqlIdempotencyStore(db),
    bulkUploads: new SqlBulkUploadStore(db),
    operations: new SqlOperationStore(db),
    onboarding: new SqlOnboardingStore(db),
    credentials: new SqlCredentialStore(db),
    kpiReports: new SqlKpiReportStore(db),
    kpiCompute: new SqlKpiComputeStore(db),
    kpiFigures: new SqlKpiFigureStore(db),
    collection: new SqlCollectionStore(db),
    sql: inTransaction
      ? { executeSql: (text, values) => db.executeQuery(CompiledQuery.raw(text, values)) }
      : poolExecutor(open),
  };
}

/** The stores on the database, and the same stores bound to one transaction. */
export function sqlStorage(open: OpenDatabase): Storage {
  return {
    ...storesOn(open.db, open, false),
    transaction: (work) => open.db.transaction().execute((trx) => work(storesOn(trx, open, true))),
    transactionsAtOnce: open.pglite ? 1 : (open.pool.options.max ?? 10),
  };
}
