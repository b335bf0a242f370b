import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../../src/config.js';
import { MeterGeneration, VoltageLevel, type SupplyPoint } from '../../src/domain/eligibility.js';
import type { Pod } from '../../src/domain/identifiers.js';
import { createPlatform, type Platform } from '../../src/main/platform.js';
import { simulators } from '../../sim/index.js';
import type { Principal } from '../../src/domain/caller.js';
import type { DatabaseTarget } from '../../src/storage/database.js';

export const TEST_MASTER_KEY = 'a1'.repeat(32);

export interface TestPlatform extends Platform {
  /** Every line the platform logged, for assertions that secrets never appear. */
  logs: string[];
}

/** Environment of a platform whose requests go through the telemanagement workflow to a field network that answers at once, losing nothing. */
export const INSTANT_FIELD_NETWORK: Readonly<Record<string, string>> = {
  REQUEST_WORKFLOW: 'telemanagement',
  SIMULATOR_TIME_SCALE: '1000000',
  SIMULATOR_LOSS_RATE: '0',
  SIMULATOR_UNREACHABLE_RATE: '0',
};

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-03-02T09:00:00Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

export async function createTestPlatform(
  target: DatabaseTarget,
  env: Record<string, string> = {},
  options: { clock?: { now(): Date } } = {},
): Promise<TestPlatform> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    // The API suites run on the stand-in workflow (no meters); the telemanagement suites set REQUEST_WORKFLOW.
    DATA_DIR: mkdtempSync(join(tmpdir(), 'chain2-test-')),
    MASTER_KEY: TEST_MASTER_KEY,
    WORKFLOW_POLL_MS: '50',
    REQUEST_WORKFLOW: 'direct',
    ...env,
  });
  const platform = await createPlatform(config, {
    database: target,
    logger: { level: 'info', stream },
    clock: options.clock,
    simulators,
  });
  return Object.assign(platform, { logs });
}

let podCounter = 0;
/** A fresh, eligible POD number on every call (unique within a test process). */
export function nextPod(distributorCode = '001'): Pod {
  podCounter += 1;
  return `IT${distributorCode}E${String(40_000_000 + podCounter * 13 + (process.pid % 13)).padStart(8, '0')}` as Pod;
}

let macCounter = 0;
export function nextMac(): string {
  macCounter += 1;
  return `DC${(0x100000 * (process.pid % 256) + macCounter).toString(16).toUpperCase().padStart(10, '0')}`;
}

export function makeSupplyPoint(overrides: Partial<SupplyPoint> = {}): SupplyPoint {
  return {
    pod: nextPod(),
    distributorCode: '001',
    voltageLevel: VoltageLevel.low,
    meterGeneration: MeterGeneration.second,
    installedInMassPlan: true,
    meterSerial: '21E4E5KA101249263',
    contractPowerW: 3000,
    concentratorId: null,
    ...overrides,
  };
}

export function makeDu(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Kitchen display',
    macAddress: nextMac(),
    encryptionKey: '00112233445566778899AABBCCDDEEFF',
    hardwareVersion: 'HW-2.1',
    softwareVersion: 'SW-1.4.0',
    ...overrides,
  };
}

/** The DU models makeAssetProvider certifies (makeDu's is the first). */
export const CERTIFIED_MODELS = [
  { hardwareVersion: 'HW-2.1', softwareVersion: 'SW-1.4.0' },
  { hardwareVersion: 'HW-3', softwareVersion: 'SW-2' },
];

/** An active asset provider with certified DU models, one representative (a portal password if given) and an API token. */
export async function makeAssetProvider(
  platform: Platform,
  name = `AP ${uuidv7()}`,
  options: { password?: string } = {},
): Promise<Principal & { token: string; email: string }> {
  const assetProviderId = uuidv7();
  const representativeId = uuidv7();
  await platform.services.onboarding.importActive({
    assetProviderId,
    name,
    vatNumber: `VAT-${assetProviderId}`,
    models: CERTIFIED_MODELS,
    representatives: [
      {
        representativeId,
        email: `${representativeId}@test.example`,
        fullName: 'Test Rep',
        ...(options.password ? { password: options.password } : {}),
      },
    ],
  });
  const token = await platform.services.access.issueToken({ representativeId }, 'test');
  return { assetProviderId, representativeId, token, email: `${representativeId}@test.example` };
}

/** A DSO operator with an API token (and a portal password if given). */
export async function makeOperator(
  platform: Platform,
  options: { password?: string } = {},
): Promise<{ operatorId: string; token: string; email: string }> {
  const operatorId = uuidv7();
  const email = `${operatorId}@dso.test`;
  await platform.storage.participants.insertOperator({ operatorId, email, fullName: 'Test Operator' }, new Date());
  if (options.password) await platform.services.sessions.setPassword({ operatorId }, email, options.password);
  return { operatorId, token: await platform.services.access.issueToken({ operatorId }, 'test'), email };
}

/** Registers supply points (default: one eligible) and returns them. */
export async function addSupplyPoints(platform: Platform, ...points: Partial<SupplyPoint>[]): Promise<SupplyPoint[]> {
  const rows = (points.length ? points : [{}]).map((p) => makeSupplyPoint(p));
  await platform.storage.supplyPoints.importMany(rows);
  return rows;
}

/** A retailer serving `pods`, with one user, an API token (and a portal password if given). */
export async function makeRetailer(
  platform: Platform,
  pods: readonly string[],
  options: { password?: string } = {},
): Promise<{ retailerId: string; retailerUserId: string; token: string; email: string }> {
  const [retailerId, retailerUserId] = [uuidv7(), uuidv7()];
  const email = `${retailerUserId}@retailer.test`;
  await platform.storage.participants.insertRetailer(
    { retailerId, name: `Retailer ${retailerId}`, vatNumber: `R-${retailerId}` },
    new Date(),
  );
  await platform.storage.participants.insertRetailerUser(
    { retailerUserId, retailerId, email, fullName: 'Retail User' },
    new Date(),
  );
  await platform.storage.participants.assignRetailers(pods.map((pod) => ({ pod, retailerId })));
  if (options.password) await platform.services.sessions.setPassword({ retailerUserId }, email, options.password);
  return {
    retailerId,
    retailerUserId,
    token: await platform.services.access.issueToken({ retailerUserId }, 'test'),
    email,
  };
}
