/** The public API's resources as the portal reads them (src/http/schemas.ts and presenters.ts are the source). */

/** A retailer (monitoring, issue #6) sees the supply points it serves: the monitoring pages and its API tokens. */
export type Role = 'asset_provider' | 'dso_operator' | 'retailer';
export type AssetProviderStatus = 'applied' | 'contract_received' | 'du_certified' | 'consent_received' | 'active' | 'suspended';

export interface SessionUser {
  role: Role;
  email: string;
  fullName: string;
  /** Null for a DSO operator. */
  assetProvider?: { id: string; name: string; status: AssetProviderStatus | string } | null;
  /** Only for a retailer's user. */
  retailer?: { id: string; name: string } | null;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Eligibility {
  pod: string;
  eligible: boolean;
  reasons: string[];
}

export interface DuFields {
  name: string;
  macAddress: string;
  encryptionKey: string;
  hardwareVersion: string;
  softwareVersion: string;
}

export interface Association {
  id: string;
  pod: string;
  status: 'pending' | 'active' | 'rejected' | 'deleted' | string;
  channel: string;
  /** encryptionKey is masked by the server (`****…1A2B`). */
  du: DuFields;
  createdAt: string;
  updatedAt: string;
}

export interface ServiceRequest {
  id: string;
  kind: 'create' | 'modify' | 'delete' | string;
  pod: string;
  associationId: string;
  status: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface RequestTransition {
  status: string;
  reason: string | null;
  at: string;
}

export interface RequestDetail extends ServiceRequest {
  history: RequestTransition[];
}

export interface DsoRequest extends ServiceRequest {
  assetProvider: { id: string; name: string };
  macAddress?: string | null;
}

export interface DsoRequestDetail extends DsoRequest {
  history: RequestTransition[];
}

export interface BulkCounts {
  total: number;
  invalid: number;
  notEligible: number;
  queued: number;
  takenInCharge: number;
  completed: number;
  rejected: number;
  failed: number;
}

export interface BulkUploadSummary {
  id: string;
  fileName: string | null;
  rows: number;
  status: 'processing' | 'completed';
  counts: BulkCounts;
  createdAt: string;
}

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export interface BulkReportRow {
  line: number;
  pod: string;
  eligibility: { eligible: boolean; reasons: string[] } | null;
  status: string;
  reason: string | null;
  issues: FieldIssue[];
  requestId: string | null;
}

export interface BulkUploadDetail extends Omit<BulkUploadSummary, 'rows'> {
  rows: BulkReportRow[];
}

export interface Quota {
  used: number;
  limit: number;
  windowHours: number;
}

export interface Summary {
  associations: Record<string, number>;
  requests: Record<string, number>;
  bulkQuota: Quota;
}

export interface ApiToken {
  id: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiToken extends ApiToken {
  token: string;
}

export interface TariffSwitch {
  fromMinute: number;
  band: number;
}

export interface TariffCalendar {
  weekday: TariffSwitch[];
  saturday: TariffSwitch[];
  holiday: TariffSwitch[];
}

export interface MeterRegisters {
  readAt: string;
  importEnergyWh: number;
  exportEnergyWh: number;
  importEnergyByBandWh: number[];
  availablePowerW: number;
  connected: boolean;
}

export interface Operation {
  id: string;
  pod: string;
  kind: string;
  availablePowerW?: number;
  calendar?: TariffCalendar;
  status: 'submitted' | 'queued' | 'completed' | 'failed' | string;
  reason: string | null;
  detail: string | null;
  attempts: number | null;
  registers: MeterRegisters | null;
  requestedBy: string;
  createdAt: string;
  completedAt: string | null;
}

export interface FieldNetworkStatus {
  concentrators: number;
  meters: number;
  queuedCommands: number;
  busiest: { concentratorId: string; meters: number; queueDepth: number }[];
  commands: {
    sent: number;
    attempts: number;
    retried: number;
    done: number;
    failed: number;
    failedByReason: Record<string, number>;
  };
}

export interface AssetProviderSummary {
  id: string;
  name: string;
  vatNumber: string;
  status: AssetProviderStatus | string;
  createdAt: string;
}

export interface DuModel {
  id: string;
  hardwareVersion: string;
  softwareVersion: string;
  outcome: 'passed' | 'failed' | string;
  testedOn: string;
  reportFileName: string | null;
  reportUrl: string | null;
  recordedAt?: string;
}

export interface Representative {
  email: string;
  fullName: string;
  activated: boolean;
}

export interface OnboardingEvent {
  at: string;
  /** Null for the platform itself (e.g. an import). */
  actor: { name: string; email: string } | null;
  action: string;
  /** What the step recorded, by action: see AuditLog. */
  detail: Record<string, unknown> | null;
}

export interface AssetProviderDetail extends AssetProviderSummary {
  contract: { pecReference: string; receivedOn: string } | null;
  consentSignedOn?: string | null;
  suspensionReason?: string | null;
  duModels: DuModel[];
  representatives: Representative[];
  events: OnboardingEvent[];
  activationLinks?: { email: string; url: string }[];
}

/** Monitoring (CHAIN2.md §5): which computation of a day to read. `latest` is the final one where there is one. */
export type KpiVersion = 'latest' | 'provisional' | 'final';
export type KpiGrouping = 'day' | 'assetProvider' | 'retailer' | 'pod';
export const KPI_FLAGS = ['missing_report', 'missing_meter_count', 'inconsistent', 'below_target'] as const;
export type KpiFlag = (typeof KPI_FLAGS)[number];

/** One group of supply-point days; sent and received add up only the days with both counts. */
export interface KpiGroupRow {
  /** The day (YYYY-MM-DD), the asset provider's or retailer's id ('none' for supply points without one), or the POD. */
  key: string;
  label: string;
  pods: number;
  podDays: number;
  sent: number;
  received: number;
  /** received ÷ sent (0–1, above 1 when counts are inconsistent); null when nothing was sent. */
  performance: number | null;
  flags: Record<KpiFlag, number>;
}

export interface KpiPerformance {
  from: string;
  to: string;
  version: KpiVersion;
  groupBy: KpiGrouping;
  /** The target performance (0–1), e.g. 0.99. */
  target: number;
  rows: KpiGroupRow[];
}

export interface KpiDistribution {
  from: string;
  to: string;
  version: KpiVersion;
  /** '0-10', '10-20', …, '90-99', '99-100' (percent). */
  buckets: { bucket: string; podDays: number }[];
}

/** One supply point on one day, in one version of the computation. */
export interface KpiPodDay {
  day: string;
  version: 'provisional' | 'final';
  pod: string;
  assetProviderId: string | null;
  retailerId: string | null;
  sent: number | null;
  received: number | null;
  performance: number | null;
  flags: KpiFlag[];
}

export interface KpiReportVersion {
  participant: { kind: 'asset_provider' | 'retailer' | string; id: string };
  pod: string;
  day: string;
  /** 1 for the first report of that participant, POD and day; each correction adds one. */
  version: number;
  received: number;
  receivedByType: Record<string, number> | null;
  reportedAt: string;
  supersededAt: string | null;
}

export interface KpiRefusal {
  /** The CSV line (the header is line 1) or the position in a JSON array. */
  line?: number;
  index?: number;
  pod: string;
  issues: FieldIssue[];
}

export interface KpiSubmission {
  accepted: number;
  refused: KpiRefusal[];
}
