/**
 * The interfaces services need from the outside world. Adapters in storage/, security/ and workers/
 * implement them; main/ wires one implementation of each.
 */
import type { Association, AssociationStatus, Chain2Channel } from '../domain/association.js';
import type { BulkReportRow, BulkRowOutcome } from '../domain/bulk-upload.js';
import type { SupplyPoint } from '../domain/eligibility.js';
import type { FieldIssue } from '../domain/errors.js';
import type { AddressedCommand, CommandOutcome, MeterRegisters } from '../domain/meter-command.js';
import type { MeterOperation, OperationFailure, OperationStatus } from '../domain/meter-operation.js';
import type { MacAddress, Pod } from '../domain/identifiers.js';
import type { AssetProviderStatus } from '../domain/onboarding.js';
import type { KpiFlag, KpiGrouping, KpiParticipant, KpiReport, KpiVersion } from '../domain/kpi.js';
import type { RequestKind, RequestStatus, RequestTransition, ServiceRequest } from '../domain/request.js';

export interface Clock {
  now(): Date;
}

/** New time-ordered unique ids (UUIDv7), so that id order is creation order. */
export type NewId = () => string;

/** Authenticated encryption of secrets at rest (DU keys). The sealed form is opaque bytes. */
export interface SecretBox {
  seal(plaintext: string): Uint8Array;
  open(sealed: Uint8Array): string;
}

/** A representative of an asset provider: the caller of the online services. */
export interface Principal {
  representativeId: string;
  assetProviderId: string;
}

/** Whoever a token belongs to: an asset provider's representative, or one of the DSO's operators. */
export type Caller =
  | ({ role: 'asset_provider'; assetProviderStatus: AssetProviderStatus } & Principal)
  | { role: 'dso_operator'; operatorId: string }
  /** A user of a retailer: sees the monitoring of the supply points the retailer serves. */
  | { role: 'retailer'; retailerUserId: string; retailerId: string };

export interface OperatorRecord {
  operatorId: string;
  email: string;
  fullName: string;
}

export interface PageQuery {
  /** Return items strictly older than this id (newest first). */
  beforeId?: string;
  limit: number;
}

export interface SupplyPointStore {
  /** The supply point (if registered) and whether a live association holds it, in one round trip. */
  findForEligibility(pod: Pod): Promise<{ supplyPoint: SupplyPoint | undefined; hasLiveAssociation: boolean }>;
  /** The same for many PODs in one query, in the order asked. */
  findManyForEligibility(pods: readonly Pod[]): Promise<{ supplyPoint: SupplyPoint | undefined; hasLiveAssociation: boolean }[]>;
  /** Bulk load (COPY) of the DSO's registry; existing PODs are an error. Returns the number of rows loaded. Not inside a transaction. */
  importMany(rows: Iterable<SupplyPoint>): Promise<number>;
  insertConcentrators(concentrators: readonly Concentrator[]): Promise<void>;
  count(): Promise<number>;
}

/** A data concentrator in a secondary substation: the Chain 1 master of ≈100 meters. */
export interface Concentrator {
  concentratorId: string;
  substation: string;
}

export interface DuFields {
  name: string;
  macAddress: MacAddress;
  hardwareVersion: string;
  softwareVersion: string;
}

export interface NewAssociation {
  associationId: string;
  assetProviderId: string;
  pod: Pod;
  channel: Chain2Channel;
  du: DuFields;
  sealedKey: Uint8Array;
  keyLast4: string;
  at: Date;
}

/** A pending DU modification as stored with its request; the new key only sealed. */
export interface DuChanges extends Partial<DuFields> {
  sealedKey?: Uint8Array;
  keyLast4?: string;
}

export interface AssociationFilter extends PageQuery {
  assetProviderId: string;
  pod?: Pod;
  status?: AssociationStatus;
}

export interface AssociationStore {
  /** Refuses (DomainError already_associated / mac_in_use) when a live association holds the POD or the MAC. */
  insert(association: NewAssociation): Promise<void>;
  /** The same for many, set-based (bulk uploads). */
  insertMany(associations: readonly NewAssociation[]): Promise<void>;
  /** Only the owner's: another asset provider's association is reported as absent. */
  findOwned(assetProviderId: string, associationId: string): Promise<Association | undefined>;
  find(associationId: string): Promise<Association | undefined>;
  isMacLive(macAddress: MacAddress, exceptAssociationId?: string): Promise<boolean>;
  /** The association's sealed DU key, for the request workflow that programs the meter. */
  sealedKeyOf(associationId: string): Promise<Uint8Array | undefined>;
  /**
   * What every active association has written into its meter (the head-end's configuration inventory), with the
   * meter's place in the network: for a simulated field network that starts again with its meters programmed.
   */
  activeChain2Configurations(): Promise<{ site: SupplyPoint; macAddress: MacAddress; sealedKey: Uint8Array }[]>;
  /** Which of these MAC addresses are in a live association. */
  liveMacs(macAddresses: readonly MacAddress[]): Promise<Set<string>>;
  list(filter: AssociationFilter): Promise<Association[]>;
  countByStatus(assetProviderId: string): Promise<Record<AssociationStatus, number>>;
  setStatus(associationId: string, status: AssociationStatus, at: Date): Promise<void>;
  setStatusMany(moves: readonly { associationId: string; status: AssociationStatus }[], at: Date): Promise<void>;
  findMany(associationIds: readonly string[]): Promise<Map<string, Association>>;
  sealedKeysOf(associationIds: readonly string[]): Promise<Map<string, Uint8Array>>;
  applyChanges(associationId: string, changes: DuChanges, at: Date): Promise<void>;
}

export interface NewRequest {
  requestId: string;
  assetProviderId: string;
  associationId: string;
  representativeId: string;
  pod: Pod;
  kind: RequestKind;
  changes?: DuChanges;
  /** Set for the requests of a bulk upload: they count against the bulk quota. */
  bulkUploadId?: string;
  at: Date;
}

export interface RequestFilter extends PageQuery {
  assetProviderId: string;
  statuses?: readonly RequestStatus[];
  kind?: RequestKind;
  pod?: Pod;
}

/** The DSO's search across asset providers. */
export interface RequestSearch extends Omit<RequestFilter, 'assetProviderId'> {
  assetProviderId?: string;
  macAddress?: MacAddress;
}

/** A request as the DSO sees it: with its asset provider's name and its DU's MAC address. */
export type FoundRequest = ServiceRequest & { assetProviderName: string; macAddress: MacAddress };

/** A request read under its row lock, with what the workflow needs beyond its public fields. */
export type LockedRequest = ServiceRequest & { changes: DuChanges | null; bulkUploadId: string | null };

export interface RequestStore {
  insert(request: NewRequest): Promise<void>;
  /** The same for many, set-based (bulk uploads). */
  insertMany(requests: readonly NewRequest[]): Promise<void>;
  findOwned(assetProviderId: string, requestId: string): Promise<ServiceRequest | undefined>;
  /** Locks the request row for the rest of the transaction. */
  findForUpdate(requestId: string): Promise<LockedRequest | undefined>;
  /** The same for many, locked in id order (so two workers locking overlapping sets cannot deadlock). */
  findManyForUpdate(requestIds: readonly string[]): Promise<LockedRequest[]>;
  history(requestId: string): Promise<RequestTransition[]>;
  list(filter: RequestFilter): Promise<ServiceRequest[]>;
  search(filter: RequestSearch): Promise<FoundRequest[]>;
  find(requestId: string): Promise<FoundRequest | undefined>;
  /** The asset provider's requests by status (every status present, 0 when none). */
  countByStatus(assetProviderId: string): Promise<Record<RequestStatus, number>>;
  hasOpenForAssociation(associationId: string): Promise<boolean>;
  /** Ids of the oldest requests in `status`, locked and skipped by concurrent claimers (FOR UPDATE SKIP LOCKED). */
  /** `waiting`: only requests deferred by the bulk quota (true) or only the others (false); default any. */
  claim(status: RequestStatus, limit: number, options?: { waitingForQuota?: boolean }): Promise<string[]>;
  setStatus(requestId: string, transition: RequestTransition, closed: boolean): Promise<void>;
  /** The same for many, set-based (one statement per table); the caller holds the rows' locks. */
  setStatusMany(moves: readonly (RequestTransition & { requestId: string; closed: boolean })[]): Promise<void>;
  /** A reason on a request that keeps its status (e.g. queued, quota_deferred); recorded in the history once. */
  setReason(requestId: string, reason: string, at: Date): Promise<void>;
  /** Requests a workflow still has to move: submitted, taken in charge, or queued and not waiting for the quota. */
  countInFlight(): Promise<number>;
  /** Serialises quota decisions of one asset provider across transactions and processes (an advisory lock). */
  lockQuota(assetProviderId: string): Promise<void>;
  countBulkTakenInChargeSince(assetProviderId: string, since: Date): Promise<number>;
}

export interface NewBulkUploadRow {
  line: number;
  pod: string;
  outcome: BulkRowOutcome;
  issues: FieldIssue[];
  eligibility: { eligible: boolean; reasons: string[] } | null;
  requestId: string | null;
}

export interface BulkUploadRecord {
  bulkUploadId: string;
  assetProviderId: string;
  fileName: string | null;
  rowCount: number;
  createdAt: Date;
}

export interface BulkUploadStore {
  insert(upload: BulkUploadRecord & { representativeId: string }, rows: readonly NewBulkUploadRow[]): Promise<void>;
  insertRows(bulkUploadId: string, rows: readonly NewBulkUploadRow[]): Promise<void>;
  findOwned(assetProviderId: string, bulkUploadId: string): Promise<BulkUploadRecord | undefined>;
  /** The rows in line order, each with the current status and reason of its request, if it has one. */
  rows(bulkUploadId: string): Promise<BulkReportRow[]>;
  list(assetProviderId: string, page: PageQuery): Promise<BulkUploadRecord[]>;
}

export interface AssetProviderRecord {
  assetProviderId: string;
  name: string;
  vatNumber: string;
  status: AssetProviderStatus;
}

export interface RetailerRecord {
  retailerId: string;
  name: string;
  vatNumber: string;
}

export interface RepresentativeRecord {
  representativeId: string;
  assetProviderId: string;
  email: string;
  fullName: string;
}

export interface ParticipantStore {
  insertAssetProvider(assetProvider: AssetProviderRecord, at: Date): Promise<void>;
  /** At most 3 per asset provider (CHAIN2.md §3): the fourth is refused. */
  insertRepresentative(representative: RepresentativeRecord, at: Date): Promise<void>;
  listAssetProviders(): Promise<AssetProviderRecord[]>;
  listRepresentatives(assetProviderId: string): Promise<RepresentativeRecord[]>;
  insertOperator(operator: OperatorRecord, at: Date): Promise<void>;
  listOperators(): Promise<OperatorRecord[]>;
  /** A token of a representative or of an operator (exactly one holder). */
  insertToken(token: { tokenId: string; holder: TokenHolder; tokenHash: Uint8Array; label: string }, at: Date): Promise<void>;
  revokeTokens(holder: TokenHolder, label: string, at: Date): Promise<void>;
  /** Revokes one of the holder's tokens; false when it has none with this id still valid. */
  revokeToken(holder: TokenHolder, tokenId: string, at: Date): Promise<boolean>;
  /** The holder's tokens, newest first, revoked ones included: never a token nor its hash. */
  listTokens(holder: TokenHolder): Promise<TokenRecord[]>;
  insertRetailer(retailer: RetailerRecord, at: Date): Promise<void>;
  insertRetailerUser(user: { retailerUserId: string; retailerId: string; email: string; fullName: string }, at: Date): Promise<void>;
  listRetailers(): Promise<RetailerRecord[]>;
  listRetailerUsers(retailerId: string): Promise<{ retailerUserId: string; email: string; fullName: string }[]>;
  /** Which retailer serves which supply point (set-based; a later assignment replaces an earlier one). */
  assignRetailers(contracts: readonly { pod: string; retailerId: string }[]): Promise<void>;
  /** The asset provider's own bulk quota per 24 h, or null for the platform default. */
  bulkQuotaOf(assetProviderId: string): Promise<number | null>;
  findCallerByTokenHash(tokenHash: Uint8Array): Promise<Caller | undefined>;
}

export type TokenHolder = { representativeId: string } | { operatorId: string } | { retailerUserId: string };

export interface TokenRecord {
  tokenId: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

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

export interface StoredResponse {
  statusCode: number;
  body: string;
}

export interface IdempotencyStore {
  /**
   * Reserves `key` for `fingerprint` (false when a reservation younger than `since` exists; an older one is replaced).
   */
  reserve(scope: string, key: string, fingerprint: string, at: Date, since: Date): Promise<boolean>;
  find(scope: string, key: string): Promise<{ fingerprint: string; response: StoredResponse | null } | undefined>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}

/** A DU model's integration test as recorded by an operator; the report file is read on its own. */
export interface DuModelTest {
  duModelId: string;
  hardwareVersion: string;
  softwareVersion: string;
  outcome: 'passed' | 'failed';
  testedOn: string;
  reportFileName: string;
  createdAt: Date;
}

export interface OnboardingEvent {
  at: Date;
  action: string;
  detail: Record<string, unknown> | null;
  /** Who: the operator's or the representative's name and email, as they are now. */
  actor: { name: string; email: string } | null;
}

export interface AssetProviderDetail extends AssetProviderRecord {
  createdAt: Date;
  contract: { pecReference: string; receivedOn: string } | null;
  consentSignedOn: string | null;
  suspensionReason: string | null;
}

export interface OnboardingStore {
  /** Locks the provider's row for the rest of the transaction (steps are read-check-write). */
  findForUpdate(assetProviderId: string): Promise<AssetProviderDetail | undefined>;
  find(assetProviderId: string): Promise<AssetProviderDetail | undefined>;
  list(): Promise<(AssetProviderRecord & { createdAt: Date })[]>;
  update(assetProviderId: string, changes: {
    status?: AssetProviderStatus; contract?: { pecReference: string; receivedOn: string }; consentSignedOn?: string;
    suspensionReason?: string | null;
  }): Promise<void>;
  insertDuModel(assetProviderId: string, test: DuModelTest & { report: Uint8Array; reportContentType: string; recordedBy: string | null }): Promise<void>;
  duModels(assetProviderId: string): Promise<DuModelTest[]>;
  duModelReport(assetProviderId: string, duModelId: string): Promise<{ fileName: string; contentType: string; content: Uint8Array } | undefined>;
  /** Models whose latest test passed, as `hardware\u0000software` keys. */
  certifiedModels(assetProviderId: string): Promise<Set<string>>;
  /** The provider's representatives, with whether each has set a password (used their activation link). */
  representatives(assetProviderId: string): Promise<{ representativeId: string; email: string; fullName: string; activated: boolean }[]>;
  recordEvent(event: { eventId: string; assetProviderId: string; action: string; detail: Record<string, unknown> | null;
    operatorId?: string; representativeId?: string; at: Date }): Promise<void>;
  events(assetProviderId: string): Promise<OnboardingEvent[]>;
}

/** A portal login: a representative's or an operator's, by email. */
export interface CredentialRecord {
  email: string;
  holder: TokenHolder;
  passwordHash: string | null;
}

export interface CredentialStore {
  insert(credential: { email: string; holder: TokenHolder; passwordHash: string | null;
    activationHash: Uint8Array | null; activationExpiresAt: Date | null }, at: Date): Promise<void>;
  findByEmail(email: string): Promise<CredentialRecord | undefined>;
  /** Sets (or creates) the login's password and ends its sessions and pending activation link. */
  setPassword(credential: { email: string; holder: TokenHolder }, passwordHash: string, at: Date): Promise<void>;
  hasPendingActivation(activationHash: Uint8Array, at: Date): Promise<boolean>;
  /** A new one-time link for a representative's login (the earlier one stops working, the password too). */
  renewActivation(representativeId: string, activationHash: Uint8Array, expiresAt: Date, at: Date): Promise<boolean>;
  /** Sets the password of the holder of a valid activation link and spends the link; undefined when none is valid. */
  activate(activationHash: Uint8Array, passwordHash: string, at: Date): Promise<CredentialRecord | undefined>;
  insertSession(session: { sessionHash: Uint8Array; email: string; at: Date; expiresAt: Date }): Promise<void>;
  /**
   * The caller of a session neither idle since `idleSince` nor past its expiry; its last use moves to `at` when the one
   * recorded is older than `touchBefore`.
   */
  useSession(sessionHash: Uint8Array, at: Date, idleSince: Date, touchBefore: Date): Promise<{ caller: Caller; email: string; expiresAt: Date } | undefined>;
  deleteSession(sessionHash: Uint8Array): Promise<void>;
  /** Removes sessions expired or idle since `idleSince`, and login attempts counted in windows that began before `windowStart`. */
  purgeEnded(at: Date, idleSince: Date, windowStart: Date): Promise<{ sessions: number; attempts: number }>;
  /** Counts one login attempt under `key`, atomically; a window begun before `windowStart` starts over. */
  countAttempt(key: string, at: Date, windowStart: Date): Promise<{ attempts: number; firstAt: Date }>;
  clearAttempts(keys: readonly string[]): Promise<void>;
  /** Who an email is, for the portal: name, and the asset provider with its status. */
  profile(email: string): Promise<{
    fullName: string; assetProvider: { id: string; name: string; status: AssetProviderStatus } | null; retailer: { id: string; name: string } | null;
  } | undefined>;
}

/** Password hashing (scrypt): slow on purpose, so a leaked table cannot be guessed cheaply. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** Who may see which monitoring figures: everything (the DSO), or one asset provider's or retailer's supply points. */
export type KpiScope = { all: true } | { assetProviderId: string } | { retailerId: string };

export interface KpiQuery {
  from: string;
  to: string;
  /** `latest`: the final version of a day where there is one, else the provisional one. */
  version: 'latest' | KpiVersion;
  scope: KpiScope;
}

export interface KpiGroupRow {
  key: string;
  label: string;
  /** Supply points: on one day, how many; over several days, the most on any one day (read from daily totals). */
  pods: number;
  podDays: number;
  sent: number;
  received: number;
  /** received ÷ sent over the supply-point days with both counts; null when nothing was sent. */
  performance: number | null;
  flags: Record<KpiFlag, number>;
}

export interface KpiPodDay {
  day: string;
  version: KpiVersion;
  pod: string;
  assetProviderId: string | null;
  retailerId: string | null;
  sent: number | null;
  received: number | null;
  flags: KpiFlag[];
}

export interface KpiStore {
  /**
   * Stores reports as the participant's latest (earlier ones kept, superseded), all or nothing; returns the indexes of
   * the reports refused because the supply point is not the participant's (no association of the asset provider on
   * it, or not served by the retailer).
   */
  /** Inside a transaction (its lock and staging last until the commit): stores the reports; returns the indexes refused. */
  insertReports(participant: KpiParticipant, reports: readonly KpiReport[], at: Date): Promise<Set<number>>;
  reportHistory(pod: string, day: string, participantIds?: readonly string[]): Promise<(KpiReport & { participant: KpiParticipant; version: number; reportedAt: Date; supersededAt: Date | null })[]>;
  upsertMeterCounts(day: string, counts: readonly { pod: string; sent: number }[], at: Date): Promise<void>;
  hasMeterCounts(day: string): Promise<boolean>;
  /**
   * Computes one version of a day for every supply point in scope that day, in transactions of its own (call it
   * outside one), in up to `parts` ranges at once; returns how many. `ifMissing`: not when a run of it is recorded
   * (another process computed it meanwhile).
   */
  compute(day: string, version: KpiVersion, window: { start: Date; end: Date }, target: number, at: Date,
    options?: { parts?: number; ifMissing?: boolean }): Promise<number>;
  runs(from: string, to: string): Promise<{ day: string; version: KpiVersion; computedAt: Date; pods: number }[]>;
  aggregate(query: KpiQuery, groupBy: KpiGrouping, limit: number): Promise<KpiGroupRow[]>;
  /** How many supply-point days fall in each performance band (`bucket` 0–10: 0–10 %, …, 90–99 %, ≥ 99 %). */
  distribution(query: KpiQuery): Promise<{ bucket: string; podDays: number }[]>;
  podDays(query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number }): Promise<KpiPodDay[]>;
}

export interface Stores {
  supplyPoints: SupplyPointStore;
  associations: AssociationStore;
  requests: RequestStore;
  participants: ParticipantStore;
  idempotency: IdempotencyStore;
  bulkUploads: BulkUploadStore;
  operations: OperationStore;
  onboarding: OnboardingStore;
  credentials: CredentialStore;
  kpi: KpiStore;
  sql: SqlExecutor;
}

/** Runs SQL on the same connection (and transaction) as the stores: for an adapter that writes beside them, such as a job queue. */
export interface SqlExecutor {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** All stores, and a transaction that gives the same stores bound to one database transaction. */
export interface Storage extends Stores {
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
}

/**
 * The request workflow: told of every request committed in status `submitted`, it moves it on to a final
 * status. Telemanagement (issue 3) implements it for real; main/ wires one implementation.
 */
export interface RequestWorkflow {
  submitted(requestId: string): void;
  /** Told of every remote operation committed in status `submitted`. */
  operationSubmitted(operationId: string): void;
}

/**
 * The DSO's central telemanagement system (Chain 1 head-end): delivers commands to meters through their
 * concentrators and reports each outcome. The field-network simulator implements it; a real head-end adapter would too.
 */
export interface HeadEnd {
  /** Resolves when the meter acknowledged, or when delivery was given up (failed, with a reason). Never rejects for field failures. */
  send(command: AddressedCommand): Promise<CommandOutcome>;
}

/** What the head-end reports of the field network, for the operators' telemanagement view. */
export interface FieldNetworkView {
  concentrators(): Promise<{ concentratorId: string; meters: number; queueDepth: number }[]>;
  counters(): Promise<{ sent: number; attempts: number; retried: number; done: number; failed: number; failedByReason: Record<string, number> }>;
}

/** Frames sent per meter per day, as telemanagement collects them from the meters (their own counters). */
export interface MeterCountSource {
  sentOn(day: string): Promise<{ pod: string; sent: number }[]>;
}

/** Structured logging (pino's shape). Never pass secrets: DU keys, tokens, passwords. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
