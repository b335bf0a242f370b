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
import { EligibilityService } from '../services/eligibility.service.js';
import { IdempotencyService } from '../services/idempotency.service.js';
import { KpiService } from '../services/kpi.service.js';
import { OnboardingService } from '../services/onboarding.service.js';
import { OperationService } from '../services/operation.service.js';
import type { Clock, FieldNetworkView, HeadEnd, SecretBox, Storage, SupplyPointStore } from '../services/ports.js';
import { RequestService } from '../services/request.service.js';
import { SessionService } from '../services/session.service.js';
import { migrate, openDatabase, type DatabaseTarget, type OpenDatabase } from '../storage/database.js';
import { sqlStorage } from '../storage/sql-storage.js';
import type { Pod } from '../domain/identifiers.js';
import { FieldNetworkClient } from '../telemanagement/field-network.client.js';
import { FieldNetworkSimulator, type NetworkSite } from '../telemanagement/field-network.simulator.js';
import { DirectCompletionWorkflow } from '../workers/direct-completion.workflow.js';
import { TelemanagementWorkflow } from '../workers/telemanagement.workflow.js';
import type { RunnableWorkflow } from '../workers/workflow.js';
import { loggerOptions } from './logger.js';

/** The composition root: the one place where adapters are chosen and wired together. */
export interface Platform {
  config: Config;
  database: OpenDatabase;
  storage: Storage;
  services: AppServices;
  workflow: RunnableWorkflow;
  /** Seals and opens DU keys (the master key's box). */
  secretBox: SecretBox;
  /** The in-process field-network simulator behind the head-end port (inspect meters in tests and the demo); undefined with HEAD_END_URL. */
  fieldNetwork: FieldNetworkSimulator | undefined;
  app: FastifyTypeBox;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Overrides the database chosen by config (tests: an in-memory embedded database or a scratch one). */
  database?: DatabaseTarget;
  logger?: FastifyServerOptions['logger'];
  clock?: Clock;
}

/** The registry's view of a meter's place in the field network, for a network that learns meters when addressed. */
function siteLookup(supplyPoints: SupplyPointStore): (pod: Pod) => Promise<NetworkSite | undefined> {
  return async (pod) => (await supplyPoints.findForEligibility(pod)).supplyPoint;
}

/**
 * In-process: the simulator learns each meter from the registry the first time a command is addressed to it, so
 * that a network of millions of supply points costs nothing until used. Its meters live in this process's memory
 * (a restart forgets what was programmed): HEAD_END_URL puts them in a field-network service of their own.
 */
function simulatedHeadEnd(simulator: FieldNetworkSimulator, siteOf: (pod: Pod) => Promise<NetworkSite | undefined>): HeadEnd {
  return {
    async send(command) {
      return simulator.send(command, simulator.hasMeter(command.pod) ? undefined : await siteOf(command.pod));
    },
  };
}

/**
 * The operators' view of the field network: the in-process simulator, or the field-network service. An API-only
 * process without HEAD_END_URL has a simulator of its own that no worker uses: it has no view.
 */
function fieldNetworkView(config: Config, network: () => FieldNetworkSimulator | FieldNetworkClient): FieldNetworkView | undefined {
  if (config.role === 'api' && !config.headEndUrl) return undefined;
  // Late-bound: the network is created after the app (it logs through the app's logger).
  return {
    concentrators: async () => network().concentrators(),
    counters: async () => network().counters(),
  };
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
  const logger = options.logger ?? loggerOptions(config);

  const eligibility = new EligibilityService(storage.supplyPoints, config.distributorCodes);
  const requests = new RequestService(storage, clock, config.bulkQuotaPer24h);
  // Late-bound: the workflow needs the app's logger, the services need the workflow.
  const workflowPort = {
    submitted: (requestId: string) => workflow.submitted(requestId),
    operationSubmitted: (operationId: string) => workflow.operationSubmitted(operationId),
  };
  const secretBox = new AesGcmSecretBox(masterKey);
  const associations = new AssociationService({ storage, eligibility, secretBox, clock, newId, workflow: workflowPort });
  const hasher = scryptHasher();
  const services = {
    access: new AccessService(storage.participants, clock, newId),
    eligibility,
    associations,
    requests,
    idempotency: new IdempotencyService(storage.idempotency, clock),
    operations: new OperationService({ storage, clock, newId, workflow: workflowPort, fieldNetwork: fieldNetworkView(config, () => fieldNetwork ?? (headEnd as FieldNetworkClient)) }),
    bulkUploads: new BulkUploadService({
      storage, associations, ownDistributorCodes: config.distributorCodes, clock, newId, workflow: workflowPort,
      limits: { maxBytes: config.bulkMaxBytes, maxRows: config.bulkMaxRows },
    }),
    sessions: new SessionService({ storage, hasher, clock, newId }),
    onboarding: new OnboardingService({ storage, clock, newId, hasher }),
    // Monitoring counts days of the meters' clocks: the simulated time of an in-process field network (the demo's ×60).
    kpi: new KpiService({
      storage, settings: config.kpi, csvLimits: { maxBytes: config.kpi.maxBytes, maxRows: config.kpi.maxRows },
      clock: { now: () => options.clock?.now() ?? (fieldNetwork ? new Date(fieldNetwork.now()) : new Date()) },
    }),
  };
  const app = await buildApp(services, {
    logger, bulkMaxBytes: config.bulkMaxBytes, kpiMaxBytes: config.kpi.maxBytes, publicUrl: config.publicUrl, webRoot: builtPortal(),
  });
  const siteOf = siteLookup(storage.supplyPoints);
  const fieldNetwork = config.headEndUrl ? undefined : new FieldNetworkSimulator({ ...config.simulator, logger: app.log });
  const headEnd = fieldNetwork ? simulatedHeadEnd(fieldNetwork, siteOf) : new FieldNetworkClient(config.headEndUrl!, siteOf, config.workflowJobTimeoutSeconds * 1000);
  const workflow: RunnableWorkflow = config.requestWorkflow === 'direct'
    ? new DirectCompletionWorkflow(storage, requests, config.workflowPollMs, app.log)
    : new TelemanagementWorkflow({
      storage, requests, secretBox, headEnd, clock, logger: app.log, pollMs: config.workflowPollMs,
      concurrency: config.workflowConcurrency, jobTimeoutSeconds: config.workflowJobTimeoutSeconds,
    });

  return {
    config, database, storage, services, workflow, secretBox, fieldNetwork, app,
    async close() {
      await workflow.stop();
      await app.close();
      await database.close();
    },
  };
}

/** The portal as `npm run build:web` leaves it, if it was built. */
export function builtPortal(): string | undefined {
  const root = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  return existsSync(`${root}index.html`) ? root : undefined;
}
