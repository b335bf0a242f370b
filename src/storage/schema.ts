import type { ColumnType, JSONColumnType } from 'kysely';

/** Row types of the tables, as the migrations create them (snake_case, as in the database). */
type Timestamp = ColumnType<Date, Date, Date>;

export interface ConcentratorsTable {
  concentrator_id: string;
  substation: string;
}

export interface SupplyPointsTable {
  pod: string;
  distributor_code: string;
  voltage_level: string;
  meter_generation: number;
  installed_in_mass_plan: boolean;
  meter_serial: string;
  contract_power_w: number;
  concentrator_id: string | null;
}

export interface AssetProvidersTable {
  asset_provider_id: string;
  name: string;
  vat_number: string;
  bulk_quota_per_24h: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  status: ColumnType<string, string | undefined, string>;
  contract_pec_reference: ColumnType<string | null, string | null | undefined, string | null>;
  /** A calendar date: read as text (YYYY-MM-DD), never shifted by a time zone. */
  contract_received_on: ColumnType<string | null, string | null | undefined, string | null>;
  consent_signed_on: ColumnType<string | null, string | null | undefined, string | null>;
  suspension_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DuModelsTable {
  du_model_id: string;
  asset_provider_id: string;
  hardware_version: string;
  software_version: string;
  outcome: string;
  tested_on: string;
  report_file_name: string;
  report_content_type: string;
  report: Uint8Array;
  recorded_by: string | null;
  created_at: Timestamp;
}

export interface OnboardingEventsTable {
  event_id: string;
  asset_provider_id: string;
  action: string;
  detail: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  operator_id: string | null;
  representative_id: string | null;
  at: Timestamp;
}

export interface CredentialsTable {
  email: string;
  representative_id: string | null;
  operator_id: string | null;
  retailer_user_id: ColumnType<string | null, string | null | undefined, string | null>;
  password_hash: string | null;
  activation_hash: Uint8Array | null;
  activation_expires_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface SessionsTable {
  session_hash: Uint8Array;
  email: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface LoginAttemptsTable {
  key: string;
  attempts: number;
  first_at: Timestamp;
}

export interface RepresentativesTable {
  representative_id: string;
  asset_provider_id: string;
  seat: number;
  email: string;
  full_name: string;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  token_id: string;
  representative_id: string | null;
  operator_id: ColumnType<string | null, string | null | undefined, string | null>;
  retailer_user_id: ColumnType<string | null, string | null | undefined, string | null>;
  token_hash: Uint8Array;
  label: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface OperatorsTable {
  operator_id: string;
  email: string;
  full_name: string;
  created_at: Timestamp;
}

export interface MeterOperationsTable {
  operation_id: string;
  operator_id: string;
  pod: string;
  kind: string;
  parameters: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  status: string;
  reason: string | null;
  detail: string | null;
  attempts: number | null;
  registers: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface AssociationsTable {
  association_id: string;
  asset_provider_id: string;
  pod: string;
  status: string;
  channel: string;
  du_name: string;
  du_mac_address: string;
  du_key_sealed: Uint8Array;
  du_key_last4: string;
  du_hardware_version: string;
  du_software_version: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** On the meters' clock: the meter programmed (the create request completed), and cleared (the delete completed). */
  active_from: ColumnType<Date | null, Date | null | undefined, Date | null>;
  active_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface StoredChanges {
  name?: string;
  macAddress?: string;
  hardwareVersion?: string;
  softwareVersion?: string;
  keyLast4?: string;
}

export interface RequestsTable {
  request_id: string;
  asset_provider_id: string;
  association_id: string;
  representative_id: string | null;
  pod: string;
  kind: string;
  status: string;
  reason: string | null;
  changes: JSONColumnType<StoredChanges | null, string | null, string | null>;
  changes_key_sealed: Uint8Array | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
  bulk_upload_id: ColumnType<string | null, string | null | undefined, string | null>;
  taken_in_charge_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface BulkUploadsTable {
  bulk_upload_id: string;
  asset_provider_id: string;
  representative_id: string | null;
  file_name: string | null;
  row_count: number;
  created_at: Timestamp;
}

export interface BulkUploadRowsTable {
  bulk_upload_id: string;
  line: number;
  pod: string;
  outcome: string;
  issues: JSONColumnType<{ field: string; code: string; message: string }[] | null, string | null, string | null>;
  eligible: boolean | null;
  eligibility_reasons: string[] | null;
  request_id: string | null;
}

export interface RequestTransitionsTable {
  request_id: string;
  seq: number;
  status: string;
  reason: string | null;
  at: Timestamp;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  body: string | null;
  created_at: Timestamp;
}

export interface RetailersTable {
  retailer_id: string;
  name: string;
  vat_number: string;
  created_at: Timestamp;
}

export interface SupplyContractsTable {
  pod: string;
  retailer_id: string;
}

export interface RetailerUsersTable {
  retailer_user_id: string;
  retailer_id: string;
  email: string;
  full_name: string;
  created_at: Timestamp;
}

export interface KpiReportsTable {
  day: string;
  pod: string;
  participant_id: string;
  participant_kind: string;
  version: number;
  received: number;
  received_by_type: JSONColumnType<Record<string, number> | null, string | null, string | null>;
  reported_at: Timestamp;
}

export interface KpiReportHistoryTable extends KpiReportsTable {
  superseded_at: Timestamp;
}

export interface MeterDailyCountsTable {
  day: string;
  pod: string;
  sent: number;
  collected_at: Timestamp;
}

export interface KpiDailyTable {
  day: string;
  version: number;
  pod: string;
  asset_provider_id: string | null;
  retailer_id: string | null;
  sent: number | null;
  received: number | null;
  flags: string[];
}

export interface KpiDailyTotalsTable {
  day: string;
  version: number;
  asset_provider_id: string | null;
  retailer_id: string | null;
  bucket: number | null;
  pod_days: number;
  sent: ColumnType<string, number, number>;
  received: ColumnType<string, number, number>;
  missing_report: number;
  missing_meter_count: number;
  inconsistent: number;
  below_target: number;
}

export interface KpiRunsTable {
  day: string;
  version: number;
  computed_at: Timestamp;
  pods: number;
}

export interface Database {
  concentrators: ConcentratorsTable;
  supply_points: SupplyPointsTable;
  asset_providers: AssetProvidersTable;
  representatives: RepresentativesTable;
  api_tokens: ApiTokensTable;
  associations: AssociationsTable;
  requests: RequestsTable;
  request_transitions: RequestTransitionsTable;
  idempotency_keys: IdempotencyKeysTable;
  bulk_uploads: BulkUploadsTable;
  bulk_upload_rows: BulkUploadRowsTable;
  operators: OperatorsTable;
  meter_operations: MeterOperationsTable;
  du_models: DuModelsTable;
  onboarding_events: OnboardingEventsTable;
  credentials: CredentialsTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  retailers: RetailersTable;
  supply_contracts: SupplyContractsTable;
  retailer_users: RetailerUsersTable;
  kpi_reports: KpiReportsTable;
  kpi_report_history: KpiReportHistoryTable;
  meter_daily_counts: MeterDailyCountsTable;
  kpi_daily: KpiDailyTable;
  kpi_daily_totals: KpiDailyTotalsTable;
  kpi_runs: KpiRunsTable;
}
