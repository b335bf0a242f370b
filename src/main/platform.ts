import type { FastifyServerOptions } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../config.js';
import { buildApp, type AppServices, type FastifyTypeBox } from '../http/app.js';
import { decodeMasterKey, loadOrCreateMasterKey } from '../security/master-key.js';
import { scryptHasher } from '../security/password.js';
import { AesGcmSecretBox } from '../security/secret-box.js';
import { AccessService } from '../services/access.service.js';
import { AssociationService } from '../services/association.service.js';
import { BulkUploadService } from '../services/bulk-upload.service.js';
import { CollectionService } from '../services/collection.service.js';
import { EligibilityService } from '../services/eligibility.service.js';
import { IdempotencyService } from '../services/idempotency.service.js';
import { KpiService } from '../services/kpi.service.js';
import { OnboardingService } from '../services/onboarding.service.js';
import { OperationService } from '../services/operation.service.js';
import type { Clock, NetworkSite, SecretBox, Storage, SupplyPointStore } from '../services/ports/index.js';
import { RequestService } from '../services/request.service.js';
import { SessionService } from '../services/session.service.js';
import { migrate, openDatabase, type DatabaseTarget, type OpenDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import type { Pod } from '../domain/identifiers.js';
import { FieldNetworkClient } from '../telemanagement/field-network.client.js';
import { COLLECTION_JOB_RETRY, CollectionWorkflow } from '../workers/collection.workflow.js';
import { DirectCompletionWorkflow } from '../workers/direct-completion.workflow.js';
import { TelemanagementWorkflow } from '../workers/telemanagement.workflow.js';
import type { RunnableWorkflow } from '../workers/workflow.js';
import { createLogger, loggerOptions } from './logger.js';
import type { InProcessFieldNetwork, Simulators } from './simulators.js';

/** The composition root: the one place where adapters are chosen and wired together. */
export interface Platform {
  config: Config;
  database: OpenDatabase;
  storage: Storage;
  services: AppServices;
  workflow: RunnableWorkflow;
  /** The Chain 1 daily collection's jobs (worker processes start it). */
  collection: CollectionWorkflow;
  /** Seals and opens DU keys (the master key's box). */
  secretBox: SecretBox;
  /** The in-process field-network simulator behind the head-end port (inspect meters in tests and the demo); undefined with HEAD_END_URL. */
  fieldNetwork: InProcessFieldNetwork | undefined;
  /** The simulators this platform was given (the demo's Chain 2 starts from them). */
  simulators: Simulators | undefined;
  app: FastifyTypeBox;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Overrides the database chosen by config (tests: an in-memory embedded database or a scratch one). */
  database?: DatabaseTarget;
  logger?: FastifyServerOptions['logger'];
  clock?: Clock;
  /** The simulated field (sim/), needed without HEAD_END_URL: the entry point hands it in, src/ never imports sim/. */
  simulators?: Simulators;
}

/** The registry's view of a meter's place in the field network, for a network that learns meters when addressed. */
function siteLookup(supplyPoints: SupplyPointStore): (pod: Pod) => Promise<NetworkSite | undefined> {
  return async (pod) => (await supplyPoints.findForEligibility(pod)).supplyPoint;
}

export function databaseTargetOf(config: Config): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
    : { kind: 'embedded', dataDir: `${config.dataDir}/db`, sharedBuffersMb: config.embeddedSharedBuffersMb };
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
  const logger = createLogger(options.logger ?? loggerOptions(config));
  const secretBox = new AesGcmSecretBox(masterKey);

  // Telemanagement: the field network in this process, or the field-network service (HEAD_END_URL).
  const siteOf = siteLookup(storage.supplyPoints);
  const fieldNetwork = config.headEndUrl ? undefined : inProcessFieldNetwork(config, options.simulators, logger);
  const headEnd = fieldNetwork
    ? fieldNetwork.headEnd(siteOf)
    : new FieldNetworkClient(config.headEndUrl!, siteOf, config.workflowJobTimeoutSeconds * 1000);
  // An API-only process without HEAD_END_URL has a simulator of its own that no worker uses: no view of the network.
  const fieldNetworkView = config.role === 'api' && !config.headEndUrl ? undefined : headEnd;

  const eligibility = new EligibilityService(storage.supplyPoints, config.distributorCodes);
  const requests = new RequestService(storage, clock, config.bulkQuotaPer24h);
  const workflow: RunnableWorkflow =
    config.requestWorkflow === 'direct'
      ? new DirectCompletionWorkflow(storage, requests, config.workflowPollMs, logger)
      : new TelemanagementWorkflow({
          storage,
          requests,
          headEnd,
          secretBox,
          clock,
          logger,
          pollMs: config.workflowPollMs,
          concurrency: config.workflowConcurrency,
          jobTimeoutSeconds: config.workflowJobTimeoutSeconds,
        });
  // The meters' clock: the simulated time of an in-process field network (the demo's ×60). Monitoring counts days of
  // it, and collection reads days that are over on it.
  const metersClock = options.clock ?? (fieldNetwork ? { now: () => new Date(fieldNetwork.now()) } : clock);
  const collectionService = new CollectionService({
    storage,
    headEnd,
    clock: metersClock,
    settings: config.collection,
  });
  const collection = new CollectionWorkflow({
    storage,
    collection: collectionService,
    logger,
    concurrency: config.collection.concurrency,
    jobTimeoutSeconds: config.workflowJobTimeoutSeconds,
    jobRetry: { ...COLLECTION_JOB_RETRY, delaySeconds: config.collection.retryDelaySeconds },
  });
  const associations = new AssociationService({ storage, eligibility, secretBox, clock, newId, workflow });
  const hasher = scryptHasher();
  const services = {
    access: new AccessService(storage.tokens, clock, newId),
    eligibility,
    associations,
    requests,
    idempotency: new IdempotencyService(storage.idempotency, clock),
    operations: new OperationService({ storage, clock, newId, workflow, fieldNetwork: fieldNetworkView }),
    bulkUploads: new BulkUploadService({
      storage,
      associations,
      ownDistributorCodes: config.distributorCodes,
      clock,
      newId,
      workflow,
      limits: { maxBytes: config.bulkMaxBytes, maxRows: config.bulkMaxRows },
    }),
    sessions: new SessionService({ storage, hasher, clock, newId }),
    onboarding: new OnboardingService({ storage, clock, newId, hasher }),
    kpi: new KpiService({
      storage,
      settings: config.kpi,
      csvLimits: { maxBytes: config.kpi.maxBytes, maxRows: config.kpi.maxRows },
      clock: metersClock,
    }),
    collection: collectionService,
  };
  const app = await buildApp(services, {
    loggerInstance: logger,
    bulkMaxBytes: config.bulkMaxBytes,
    kpiMaxBytes: config.kpi.maxBytes,
    publicUrl: config.publicUrl,
    webRoot: builtPortal(),
  });

  return {
    config,
    database,
    storage,
    services,
    workflow,
    collection,
    secretBox,
    fieldNetwork,
    simulators: options.simulators,
    app,
    async close() {
      await workflow.stop();
      await collection.stop();
      await app.close();
      await database.close();
    },
  };
}

function inProcessFieldNetwork(
  config: Config,
  simulators: Simulators | undefined,
  logger: Parameters<Simulators['fieldNetwork']>[1],
): InProcessFieldNetwork {
  if (!simulators) {
    throw new Error('no head-end: set HEAD_END_URL, or start the platform with the simulators (bin/chain2.js does)');
  }
  return simulators.fieldNetwork(config.simulator, logger);
}

/** The portal as `npm run build:web` leaves it, if it was built. */
export function builtPortal(): string | undefined {
  const root = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  return existsSync(`${root}index.html`) ? root : undefined;
}
