import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { AccessService } from '../services/access.service.js';
import type { AssociationService } from '../services/association.service.js';
import type { EligibilityService } from '../services/eligibility.service.js';
import type { OnboardingService } from '../services/onboarding.service.js';
import type { SessionService } from '../services/session.service.js';
import type { Clock, Storage } from '../services/ports/index.js';
import type { TokenHolder } from '../domain/caller.js';
import {
  categoryOf,
  DemoCategory,
  demoConcentrators,
  demoPod,
  demoSupplyPoints,
  METERS_PER_CONCENTRATOR,
} from './demo-network.js';

export const DEMO_SUPPLY_POINTS = 6_000;
export const DEMO_TOKEN_LABEL = 'demo';
/** The DU model the demo's asset providers had certified before the platform (their DUs are of this model). */
export const DEMO_DU_MODELS = [
  { hardwareVersion: 'HW-2.1', softwareVersion: 'SW-1.4.0' },
  { hardwareVersion: 'HW-2.2', softwareVersion: 'SW-1.5.0' },
];
const ELIGIBLE_EXAMPLES_PER_ASSET_PROVIDER = 200;
const OTHER_EXAMPLES = 5;
const ACTIVE_ASSOCIATIONS_PER_ASSET_PROVIDER = 8;

/** Fictional asset providers (names and VAT numbers invented) with up to three representatives each. */
const ASSET_PROVIDERS = [
  {
    name: 'Domotica Alpina S.r.l.',
    vatNumber: 'IT01234560011',
    representatives: ['Giulia Bianchi', 'Marco Rossi', 'Sara Colombo'],
  },
  { name: 'Casa Connessa S.p.A.', vatNumber: 'IT09876540012', representatives: ['Luca Ferrari', 'Elena Ricci'] },
  { name: 'Energia Chiara S.r.l.', vatNumber: 'IT05555550013', representatives: ['Paolo Greco', 'Anna Romano'] },
];

/** Fictional retailers (names and VAT numbers invented), each serving a share of the demo's supply points. */
const RETAILERS = [
  { name: 'Luce Tricolore S.p.A.', vatNumber: 'IT07777770014', user: 'Francesca Gallo' },
  { name: 'Energia del Borgo S.r.l.', vatNumber: 'IT08888880015', user: 'Stefano Conti' },
  { name: 'Watt Adriatico S.r.l.', vatNumber: 'IT06666660016', user: 'Martina De Luca' },
];

/** Fictional DSO operators (telemanagement and customer care): they run remote operations on meters. */
const OPERATORS = [
  { fullName: 'Chiara Esposito', email: 'chiara.esposito@dso.example' },
  { fullName: 'Davide Marino', email: 'davide.marino@dso.example' },
];

export interface SeedDeps {
  storage: Storage;
  access: AccessService;
  associations: AssociationService;
  eligibility: EligibilityService;
  onboarding: OnboardingService;
  sessions: SessionService;
  clock: Clock;
  /** Completes the requests the seed makes, so the demo starts with active associations. */
  completeRequests(): Promise<void>;
}

export interface DemoCredentials {
  apiBaseUrl: string;
  /** The demo's emulated DUs (one per programmed meter at start): watch one with a WebSocket client sending "!". */
  dus?: { pod: string; macAddress: string; ws: string }[];
  /** Retailers and their users: they report KPIs and see the monitoring of the supply points they serve. */
  retailers: { id: string; name: string; users: { email: string; name: string; token: string; password: string }[] }[];
  /** DSO operators, for POST /api/v1/operations and the operator views. */
  operators: { email: string; name: string; token: string; password: string }[];
  assetProviders: {
    id: string;
    name: string;
    /** DU models (hardware + software version) certified for this asset provider: associations need one of them. */
    certifiedModels: { hardwareVersion: string; softwareVersion: string }[];
    /** `email` and `password` log in to the portal; `token` calls the API. */
    representatives: { email: string; name: string; token: string; password: string }[];
    examplePods: Record<string, string[]>;
  }[];
}

function emailOf(fullName: string, company: string): string {
  const domain =
    company
      .toLowerCase()
      .replace(/ s\.(r\.l|p\.a)\.$/, '')
      .replace(/[^a-z]+/g, '') + '.example';
  return `${fullName.toLowerCase().replace(/[^a-z]+/g, '.')}@${domain}`;
}

/** Example PODs that are not eligible, shared by every asset provider: a few of each kind. */
function ineligibleExamples(): Record<string, string[]> {
  const byCategory: Record<string, string[]> = {};
  for (let i = 0; i < DEMO_SUPPLY_POINTS && Object.values(byCategory).flat().length < OTHER_EXAMPLES * 3; i++) {
    const category = categoryOf(i);
    if (category === DemoCategory.eligible) continue;
    const list = (byCategory[category] ??= []);
    if (list.length < OTHER_EXAMPLES) list.push(demoPod(i));
  }
  const outside = (first: number, code?: string) =>
    Array.from({ length: OTHER_EXAMPLES }, (_, k) => demoPod(first + k, code));
  return {
    ...byCategory,
    other_distributor: outside(0, '002'),
    unknown: outside(DEMO_SUPPLY_POINTS + 1000),
  };
}

/** Eligible PODs are dealt out in turn: asset provider k gets every n-th one, so no two share an example. */
function eligiblePods(assetProviderIndex: number, count: number): string[] {
  const pods: string[] = [];
  let seen = 0;
  for (let i = 0; i < DEMO_SUPPLY_POINTS && pods.length < count; i++) {
    if (categoryOf(i) !== DemoCategory.eligible) continue;
    if (seen++ % ASSET_PROVIDERS.length === assetProviderIndex) pods.push(demoPod(i));
  }
  return pods;
}

function randomKeyHex(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Loads the demo network and participants on an empty database; then makes a few associations active. */
export async function seedDemo(deps: SeedDeps): Promise<void> {
  const { storage, clock } = deps;
  await storage.supplyPoints.insertConcentrators(
    demoConcentrators(Math.ceil(DEMO_SUPPLY_POINTS / METERS_PER_CONCENTRATOR)),
  );
  await storage.supplyPoints.importMany(demoSupplyPoints(DEMO_SUPPLY_POINTS));
  for (const operator of OPERATORS)
    await storage.participants.insertOperator({ operatorId: uuidv7(), ...operator }, clock.now());
  const retailerIds: string[] = [];
  for (const retailer of RETAILERS) {
    const retailerId = uuidv7();
    await storage.participants.insertRetailer(
      { retailerId, name: retailer.name, vatNumber: retailer.vatNumber },
      clock.now(),
    );
    await storage.participants.insertRetailerUser(
      { retailerUserId: uuidv7(), retailerId, email: emailOf(retailer.user, retailer.name), fullName: retailer.user },
      clock.now(),
    );
    retailerIds.push(retailerId);
  }
  // Every supply point is served by one of them, in turn.
  await storage.participants.assignRetailers(
    Array.from({ length: DEMO_SUPPLY_POINTS }, (_, i) => ({
      pod: demoPod(i),
      retailerId: retailerIds[i % retailerIds.length]!,
    })),
  );
  for (const [index, ap] of ASSET_PROVIDERS.entries()) {
    const assetProviderId = uuidv7();
    const representatives = ap.representatives.map((fullName) => ({
      representativeId: uuidv7(),
      email: emailOf(fullName, ap.name),
      fullName,
    }));
    await deps.onboarding.importActive({
      assetProviderId,
      name: ap.name,
      vatNumber: ap.vatNumber,
      models: DEMO_DU_MODELS,
      representatives,
    });
    const principal = { assetProviderId, representativeId: representatives[0]!.representativeId };
    const pods = eligiblePods(index, ACTIVE_ASSOCIATIONS_PER_ASSET_PROVIDER);
    for (const [k, pod] of pods.entries()) {
      await deps.associations.create(principal, {
        pod,
        du: {
          name: `DU ${ap.name.split(' ')[0]} ${k + 1}`,
          macAddress:
            `DC${(index + 1).toString(16).padStart(2, '0')}${(k + 1).toString(16).padStart(8, '0')}`.toUpperCase(),
          encryptionKey: randomKeyHex(),
          ...DEMO_DU_MODELS[0]!,
        },
      });
    }
  }
  await deps.completeRequests();
}

/**
 * Issues a fresh demo token to every representative (the previous demo tokens are revoked: tokens are stored
 * hashed, so a lost one cannot be shown again) and lists example PODs per category.
 */
export async function demoCredentials(deps: SeedDeps, apiBaseUrl: string): Promise<DemoCredentials> {
  const { storage } = deps;
  const others = ineligibleExamples();
  const assetProviders = await storage.onboarding.list();
  const result: DemoCredentials = { apiBaseUrl, operators: [], retailers: [], assetProviders: [] };
  for (const retailer of await storage.participants.listRetailers()) {
    const users = [];
    for (const user of await storage.participants.listRetailerUsers(retailer.retailerId)) {
      const holder = { retailerUserId: user.retailerUserId };
      await deps.access.revokeTokens(holder, DEMO_TOKEN_LABEL);
      users.push({
        email: user.email,
        name: user.fullName,
        token: await deps.access.issueToken(holder, DEMO_TOKEN_LABEL),
        password: await newDemoPassword(deps, holder, user.email),
      });
    }
    result.retailers.push({ id: retailer.retailerId, name: retailer.name, users });
  }
  for (const operator of await storage.participants.listOperators()) {
    const holder = { operatorId: operator.operatorId };
    await deps.access.revokeTokens(holder, DEMO_TOKEN_LABEL);
    result.operators.push({
      email: operator.email,
      name: operator.fullName,
      token: await deps.access.issueToken(holder, DEMO_TOKEN_LABEL),
      password: await newDemoPassword(deps, holder, operator.email),
    });
  }
  for (const ap of assetProviders) {
    const index = ASSET_PROVIDERS.findIndex((d) => d.name === ap.name);
    const representatives = [];
    for (const r of await storage.participants.listRepresentatives(ap.assetProviderId)) {
      const holder = { representativeId: r.representativeId };
      await deps.access.revokeTokens(holder, DEMO_TOKEN_LABEL);
      representatives.push({
        email: r.email,
        name: r.fullName,
        token: await deps.access.issueToken(holder, DEMO_TOKEN_LABEL),
        password: await newDemoPassword(deps, holder, r.email),
      });
    }
    const eligible: string[] = [];
    if (index >= 0) {
      // Skips PODs associated since the seed (by the seed itself or by someone trying the demo).
      for (const pod of eligiblePods(index, Number.MAX_SAFE_INTEGER)) {
        if (eligible.length === ELIGIBLE_EXAMPLES_PER_ASSET_PROVIDER) break;
        if ((await deps.eligibility.check(pod)).eligible) eligible.push(pod);
      }
    }
    const certifiedModels = (await storage.onboarding.duModels(ap.assetProviderId))
      .filter((m) => m.outcome === 'passed')
      .map(({ hardwareVersion, softwareVersion }) => ({ hardwareVersion, softwareVersion }));
    result.assetProviders.push({
      id: ap.assetProviderId,
      name: ap.name,
      certifiedModels,
      representatives,
      examplePods: { eligible, ...others },
    });
  }
  return result;
}

/** Like the demo's tokens, its portal passwords are new at every start (only their scrypt hashes are stored). */
async function newDemoPassword(deps: SeedDeps, holder: TokenHolder, email: string): Promise<string> {
  const password = randomBytes(12).toString('base64url');
  await deps.sessions.setPassword(holder, email, password);
  return password;
}

export async function isSeeded(storage: Storage): Promise<boolean> {
  return (await storage.onboarding.list()).length > 0;
}
