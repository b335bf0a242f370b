import type { FastifyServerOptions } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../config.js';
import { buildApp, LOG_REDACTIONS, type AppServices, type FastifyTypeBox } from '../http/app.js';
import { decodeMasterKey, loadOrCreateMasterKey } from '../security/master-key.js';
import { AesGcmSecretBox } from '../security/secret-box.js';
import { AccessService } from '../services/access.service.js';
import { AssociationService } from '../services/association.service.js';
import { BulkUploadService } from '../services/bulk-upload.service.js';
import { EligibilityService } from '../services/eligibility.service.js';
import { IdempotencyService } from '../services/idempotency.service.js';
import type { Clock, HeadEnd, Storage, SupplyPointStore } from '../services/ports.js';
import { RequestService } from '../services/request.service.js';
import { migrate, openDatabase, type DatabaseTarget, type OpenDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import { FieldNetworkSimulator } from '../telemanagement/field-network.simulator.js';
import { DirectCompletionWorkflow } from '../workers/direct-completion.workflow.js';
import { TelemanagementWorkflow } from '../workers/telemanagement.workflow.js';
import type { RunnableWorkflow } from '../workers/workflow.js';

/** The composition root: the one place where adapters are chosen and wired together. */
export interface Platform {
  config: Config;
  database: OpenDatabase;
  storage: Storage;
  services: AppServices;
  workflow: RunnableWorkflow;
  /** The field-network simulator behind the head-end port (inspect meters in tests and the demo). */
  fieldNetwork: FieldNetworkSimulator;
  app: FastifyTypeBox;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Overrides the database chosen by config (tests: an in-memory embedded database or a scratch one). */
  database?: DatabaseTarget;
  logger?: FastifyServerOptions['logger'];
  clock?: Clock;
}

/**
 * The simulator learns each meter from the registry the first time a command is addressed to it, so that a
 * network of millions of supply points costs nothing until used. (Its meters live in memory: a restart
 * forgets what was programmed, which a real head-end would not.)
 */
function simulatedHeadEnd(simulator: FieldNetworkSimulator, supplyPoints: SupplyPointStore): HeadEnd {
  return {
    async send(command) {
      if (!simulator.meterState(command.pod)) {
        const { supplyPoint } = await supplyPoints.findForEligibility(command.pod);
        if (supplyPoint && !simulator.meterState(command.pod)) simulator.registerMeters([supplyPoint]);
      }
      return simulator.send(command);
    },
  };
}

export function databaseTargetOf(config: Config): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
    : { kind: 'embedded', dataDir: `${config.dataDir}/db` };
}

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const masterKey = config.masterKeyHex
    ? decodeMasterKey(config.masterKeyHex, 'MASTER_KEY')
    : await loadOrCreateMasterKey(config.dataDir);
  const database = await openDatabase(options.database ?? databaseTargetOf(config));
  try {
    await migrate(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const storage = sqlStorage(database);
  const clock = options.clock ?? { now: () => new Date() };
  const newId = () => uuidv7();
  const logger = options.logger ?? { level: config.logLevel, redact: LOG_REDACTIONS };

  const eligibility = new EligibilityService(storage.supplyPoints, config.distributorCodes);
  const requests = new RequestService(storage, clock, config.bulkQuotaPer24h);
  // Late-bound: the workflow needs the app's logger, the services need the workflow.
  const workflowPort = { submitted: (requestId: string) => workflow.submitted(requestId) };
  const secretBox = new AesGcmSecretBox(masterKey);
  const associations = new AssociationService({ storage, eligibility, secretBox, clock, newId, workflow: workflowPort });
  const services = {
    access: new AccessService(storage.participants, clock, newId),
    eligibility,
    associations,
    requests,
    idempotency: new IdempotencyService(storage.idempotency, clock),
    bulkUploads: new BulkUploadService({
      storage, associations, ownDistributorCodes: config.distributorCodes, clock, newId, workflow: workflowPort,
      limits: { maxBytes: config.bulkMaxBytes, maxRows: config.bulkMaxRows },
    }),
  };
  const app = await buildApp(services, { logger, bulkMaxBytes: config.bulkMaxBytes });
  const fieldNetwork = new FieldNetworkSimulator({ ...config.simulator, logger: app.log });
  const workflow: RunnableWorkflow = config.requestWorkflow === 'direct'
    ? new DirectCompletionWorkflow(storage, requests, config.workflowPollMs, app.log)
    : new TelemanagementWorkflow({
      storage, requests, secretBox, logger: app.log, pollMs: config.workflowPollMs, concurrency: config.workflowConcurrency,
      headEnd: simulatedHeadEnd(fieldNetwork, storage.supplyPoints),
    });

  return {
    config, database, storage, services, workflow, fieldNetwork, app,
    async close() {
      await workflow.stop();
      await app.close();
      await database.close();
    },
  };
}
