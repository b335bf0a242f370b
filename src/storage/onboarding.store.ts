import { sql, type Kysely } from 'kysely';
import { duModelKey, type AssetProviderStatus } from '../domain/onboarding.js';
import type {
  AssetProviderDetail,
  AssetProviderRecord,
  DuModelTest,
  OnboardingEvent,
  OnboardingStore,
} from '../services/ports/index.js';
import { translateUniqueViolation } from './errors.js';
import type { Database } from './schema.js';

export class SqlOnboardingStore implements OnboardingStore {
  constructor(private readonly db: Kysely<Database>) {}

  private detailQuery() {
    return this.db
      .selectFrom('asset_providers')
      .select([
        'asset_provider_id',
        'name',
        'vat_number',
        'status',
        'created_at',
        'contract_pec_reference',
        'suspension_reason',
        sql<string | null>`contract_received_on::text`.as('contract_received_on'),
        sql<string | null>`consent_signed_on::text`.as('consent_signed_on'),
      ]);
  }

  async findForUpdate(assetProviderId: string): Promise<AssetProviderDetail | undefined> {
    const row = await this.detailQuery()
      .where('asset_provider_id', '=', assetProviderId)
      .forUpdate()
      .executeTakeFirst();
    return row && detailOf(row);
  }

  async find(assetProviderId: string): Promise<AssetProviderDetail | undefined> {
    const row = await this.detailQuery().where('asset_provider_id', '=', assetProviderId).executeTakeFirst();
    return row && detailOf(row);
  }

  async list(): Promise<(AssetProviderRecord & { createdAt: Date })[]> {
    const rows = await this.db
      .selectFrom('asset_providers')
      .select(['asset_provider_id', 'name', 'vat_number', 'status', 'created_at'])
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      assetProviderId: r.asset_provider_id,
      name: r.name,
      vatNumber: r.vat_number,
      status: r.status as AssetProviderStatus,
      createdAt: r.created_at,
    }));
  }

  async update(assetProviderId: string, changes: Parameters<OnboardingStore['update']>[1]): Promise<void> {
    await this.db
      .updateTable('asset_providers')
      .set({
        ...(changes.status ? { status: changes.status } : {}),
        ...(changes.contract
          ? { contract_pec_reference: changes.contract.pecReference, contract_received_on: changes.contract.receivedOn }
          : {}),
        ...(changes.consentSignedOn ? { consent_signed_on: changes.consentSignedOn } : {}),
        ...(changes.suspensionReason !== undefined ? { suspension_reason: changes.suspensionReason } : {}),
      })
      .where('asset_provider_id', '=', assetProviderId)
      .execute();
  }

  async insertDuModel(assetProviderId: string, test: Parameters<OnboardingStore['insertDuModel']>[1]): Promise<void> {
    await this.db
      .insertInto('du_models')
      .values({
        du_model_id: test.duModelId,
        asset_provider_id: assetProviderId,
        hardware_version: test.hardwareVersion,
        software_version: test.softwareVersion,
        outcome: test.outcome,
        tested_on: test.testedOn,
        report_file_name: test.reportFileName,
        report_content_type: test.reportContentType,
        report: test.report,
        recorded_by: test.recordedBy,
        created_at: test.createdAt,
      })
      .execute();
  }

  async duModels(assetProviderId: string): Promise<DuModelTest[]> {
    const rows = await this.db
      .selectFrom('du_models')
      .select([
        'du_model_id',
        'hardware_version',
        'software_version',
        'outcome',
        'report_file_name',
        'created_at',
        sql<string>`tested_on::text`.as('tested_on'),
      ])
      .where('asset_provider_id', '=', assetProviderId)
      .orderBy('du_model_id')
      .execute();
    return rows.map((r) => ({
      duModelId: r.du_model_id,
      hardwareVersion: r.hardware_version,
      softwareVersion: r.software_version,
      outcome: r.outcome as DuModelTest['outcome'],
      testedOn: r.tested_on,
      reportFileName: r.report_file_name,
      createdAt: r.created_at,
    }));
  }

  async duModelReport(assetProviderId: string, duModelId: string) {
    const row = await this.db
      .selectFrom('du_models')
      .select(['report_file_name', 'report_content_type', 'report'])
      .where('asset_provider_id', '=', assetProviderId)
      .where('du_model_id', '=', duModelId)
      .executeTakeFirst();
    return row && { fileName: row.report_file_name, contentType: row.report_content_type, content: row.report };
  }

  async certifiedModels(assetProviderId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('du_models')
      .distinctOn(['hardware_version', 'software_version'])
      .select(['hardware_version', 'software_version', 'outcome'])
      .where('asset_provider_id', '=', assetProviderId)
      .orderBy('hardware_version')
      .orderBy('software_version')
      .orderBy('du_model_id', 'desc')
      .execute();
    return new Set(
      rows.filter((r) => r.outcome === 'passed').map((r) => duModelKey(r.hardware_version, r.software_version)),
    );
  }

  async representatives(assetProviderId: string) {
    const rows = await this.db
      .selectFrom('representatives as r')
      .leftJoin('credentials as c', 'c.representative_id', 'r.representative_id')
      .select(['r.representative_id', 'r.email', 'r.full_name', 'c.password_hash'])
      .where('r.asset_provider_id', '=', assetProviderId)
      .orderBy('r.seat')
      .execute();
    return rows.map((r) => ({
      representativeId: r.representative_id,
      email: r.email,
      fullName: r.full_name,
      activated: r.password_hash !== null,
    }));
  }

  async recordEvent(e: Parameters<OnboardingStore['recordEvent']>[0]): Promise<void> {
    try {
      await this.db
        .insertInto('onboarding_events')
        .values({
          event_id: e.eventId,
          asset_provider_id: e.assetProviderId,
          action: e.action,
          detail: e.detail && JSON.stringify(e.detail),
          operator_id: e.operatorId ?? null,
          representative_id: e.representativeId ?? null,
          at: e.at,
        })
        .execute();
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  async events(assetProviderId: string): Promise<OnboardingEvent[]> {
    const rows = await this.db
      .selectFrom('onboarding_events as e')
      .leftJoin('operators as o', 'o.operator_id', 'e.operator_id')
      .leftJoin('representatives as r', 'r.representative_id', 'e.representative_id')
      .select([
        'e.at',
        'e.action',
        'e.detail',
        'o.full_name as operator_name',
        'o.email as operator_email',
        'r.full_name as rep_name',
        'r.email as rep_email',
      ])
      .where('e.asset_provider_id', '=', assetProviderId)
      .orderBy('e.event_id')
      .execute();
    return rows.map((r) => ({
      at: r.at,
      action: r.action,
      detail: r.detail,
      actor: r.operator_name
        ? { name: r.operator_name, email: r.operator_email! }
        : r.rep_name
          ? { name: r.rep_name, email: r.rep_email! }
          : null,
    }));
  }
}

function detailOf(r: {
  asset_provider_id: string;
  name: string;
  vat_number: string;
  status: string;
  created_at: Date;
  contract_pec_reference: string | null;
  contract_received_on: string | null;
  consent_signed_on: string | null;
  suspension_reason: string | null;
}): AssetProviderDetail {
  return {
    assetProviderId: r.asset_provider_id,
    name: r.name,
    vatNumber: r.vat_number,
    status: r.status as AssetProviderStatus,
    createdAt: r.created_at,
    contract:
      r.contract_pec_reference && r.contract_received_on
        ? { pecReference: r.contract_pec_reference, receivedOn: r.contract_received_on }
        : null,
    consentSignedOn: r.consent_signed_on,
    suspensionReason: r.suspension_reason,
  };
}
