import { DomainError, DomainErrorCode, invalidInput, type FieldIssue } from '../domain/errors.js';
import { parseLabel } from '../domain/identifiers.js';
import {
  canRecordDuModel,
  MAX_REPRESENTATIVES,
  parseEmail,
  parsePastDate,
  statusAfter,
  type AssetProviderStatus,
  type OnboardingStep,
} from '../domain/onboarding.js';
import { isUuid } from './pagination.js';
import type {
  AssetProviderDetail,
  AssetProviderRecord,
  Clock,
  DuModelTest,
  NewId,
  OnboardingEvent,
  PasswordHasher,
  Storage,
  Stores,
} from './ports/index.js';
import { newActivation } from './session.service.js';

/** The largest integration-test report kept (a PDF, usually). */
export const MAX_REPORT_BYTES = 5 << 20;

export interface OnboardingDetail extends AssetProviderDetail {
  duModels: DuModelTest[];
  representatives: { email: string; fullName: string; activated: boolean }[];
  events: OnboardingEvent[];
}

export interface DuModelInput {
  hardwareVersion?: unknown;
  softwareVersion?: unknown;
  outcome?: unknown;
  testedOn?: unknown;
  report?: { fileName: string; contentType: string; content: Uint8Array };
}

/**
 * The subscription of asset providers (CHAIN2.md §3), run by DSO operators step by step: application, contract by
 * PEC, DU models with their integration-test reports, consent naming up to 3 representatives (each gets a one-time
 * activation link for the portal), activation; suspension and reinstatement. Every step is in the audit log.
 */
export class OnboardingService {
  constructor(private readonly deps: { storage: Storage; clock: Clock; newId: NewId; hasher: PasswordHasher }) {}

  list(): Promise<(AssetProviderRecord & { createdAt: Date })[]> {
    return this.deps.storage.onboarding.list();
  }

  async get(assetProviderId: string): Promise<OnboardingDetail> {
    const { onboarding } = this.deps.storage;
    const provider = isUuid(assetProviderId) ? await onboarding.find(assetProviderId) : undefined;
    if (!provider) throw notFound(assetProviderId);
    const [duModels, representatives, events] = await Promise.all([
      onboarding.duModels(assetProviderId),
      onboarding.representatives(assetProviderId),
      onboarding.events(assetProviderId),
    ]);
    return {
      ...provider,
      duModels,
      representatives: representatives.map(({ representativeId: _, ...r }) => r),
      events,
    };
  }

  async apply(operatorId: string, input: { name?: unknown; vatNumber?: unknown }): Promise<OnboardingDetail> {
    const issues: FieldIssue[] = [];
    const name = parseLabel(input.name, 'name');
    if (!name.ok) issues.push(name.issue);
    const vatNumber = parseVatNumber(input.vatNumber);
    if (!vatNumber.ok) issues.push(vatNumber.issue);
    if (!name.ok || !vatNumber.ok) throw invalidInput(issues);
    const assetProviderId = this.deps.newId();
    await this.deps.storage.transaction(async (tx) => {
      const at = this.deps.clock.now();
      await tx.participants.insertAssetProvider(
        { assetProviderId, name: name.value, vatNumber: vatNumber.value, status: 'applied' },
        at,
      );
      await this.record(tx, assetProviderId, operatorId, 'applied', { name: name.value, vatNumber: vatNumber.value });
    });
    return this.get(assetProviderId);
  }

  async recordContract(
    operatorId: string,
    assetProviderId: string,
    input: { pecReference?: unknown; receivedOn?: unknown },
  ): Promise<OnboardingDetail> {
    const issues: FieldIssue[] = [];
    const pecReference = parseLabel(input.pecReference, 'pecReference');
    if (!pecReference.ok) issues.push(pecReference.issue);
    const receivedOn = parsePastDate(input.receivedOn, 'receivedOn', this.today());
    if (!receivedOn.ok) issues.push(receivedOn.issue);
    if (!pecReference.ok || !receivedOn.ok) throw invalidInput(issues);
    return this.step(operatorId, assetProviderId, 'contract', async (tx, status) => {
      const contract = { pecReference: pecReference.value, receivedOn: receivedOn.value };
      await tx.onboarding.update(assetProviderId, { status, contract });
      return contract;
    });
  }

  /** A DU model's integration test; a passed one certifies the model (and, the first time, the provider). */
  async recordDuModel(operatorId: string, assetProviderId: string, input: DuModelInput): Promise<OnboardingDetail> {
    const issues: FieldIssue[] = [];
    const hardwareVersion = parseLabel(input.hardwareVersion, 'hardwareVersion');
    if (!hardwareVersion.ok) issues.push(hardwareVersion.issue);
    const softwareVersion = parseLabel(input.softwareVersion, 'softwareVersion');
    if (!softwareVersion.ok) issues.push(softwareVersion.issue);
    const outcome: DuModelTest['outcome'] | undefined =
      input.outcome === 'passed' || input.outcome === 'failed' ? input.outcome : undefined;
    if (!outcome)
      issues.push({ field: 'outcome', code: 'invalid_outcome', message: 'outcome must be passed or failed' });
    const testedOn = parsePastDate(input.testedOn, 'testedOn', this.today());
    if (!testedOn.ok) issues.push(testedOn.issue);
    const report = input.report;
    if (!report || report.content.length === 0)
      issues.push({ field: 'report', code: 'required', message: 'Attach the integration-test report file' });
    else if (report.content.length > MAX_REPORT_BYTES)
      issues.push({
        field: 'report',
        code: 'too_large',
        message: `The report must be at most ${MAX_REPORT_BYTES >> 20} MiB`,
      });
    if (!hardwareVersion.ok || !softwareVersion.ok || !outcome || !testedOn.ok || !report || issues.length > 0)
      throw invalidInput(issues);

    await this.deps.storage.transaction(async (tx) => {
      const provider = await this.lock(tx, assetProviderId);
      if (!canRecordDuModel(provider.status)) {
        throw new DomainError(
          DomainErrorCode.onboardingStepOutOfOrder,
          'Record the contract before testing DU models',
          { status: provider.status, step: 'certifyModel' },
        );
      }
      const at = this.deps.clock.now();
      const test = {
        duModelId: this.deps.newId(),
        hardwareVersion: hardwareVersion.value,
        softwareVersion: softwareVersion.value,
        outcome,
        testedOn: testedOn.value,
        reportFileName: report.fileName.slice(0, 255) || 'report',
        createdAt: at,
      };
      await tx.onboarding.insertDuModel(assetProviderId, {
        ...test,
        report: report.content,
        reportContentType: report.contentType,
        recordedBy: operatorId,
      });
      const certifies = outcome === 'passed' && provider.status === 'contract_received';
      if (certifies)
        await tx.onboarding.update(assetProviderId, { status: statusAfter('certifyModel', provider.status) });
      await this.record(
        tx,
        assetProviderId,
        operatorId,
        outcome === 'passed' ? 'du_model_certified' : 'du_model_failed',
        {
          hardwareVersion: test.hardwareVersion,
          softwareVersion: test.softwareVersion,
          testedOn: test.testedOn,
          reportFileName: test.reportFileName,
          ...(certifies ? { status: 'du_certified' } : {}),
        },
      );
    });
    return this.get(assetProviderId);
  }

  /** The consent form: its representatives become the provider's logins, each with a one-time activation link. */
  async recordConsent(
    operatorId: string,
    assetProviderId: string,
    input: { signedOn?: unknown; representatives?: unknown },
  ): Promise<OnboardingDetail & { activationLinks: { email: string; token: string }[] }> {
    const issues: FieldIssue[] = [];
    const signedOn = parsePastDate(input.signedOn, 'signedOn', this.today());
    if (!signedOn.ok) issues.push(signedOn.issue);
    const people = Array.isArray(input.representatives)
      ? (input.representatives as { email?: unknown; fullName?: unknown }[])
      : [];
    if (people.length > MAX_REPRESENTATIVES) {
      throw new DomainError(
        DomainErrorCode.tooManyRepresentatives,
        `The consent form names at most ${MAX_REPRESENTATIVES} representatives; ${people.length} were sent`,
        [
          {
            field: `representatives.${MAX_REPRESENTATIVES}`,
            code: DomainErrorCode.tooManyRepresentatives,
            message: `At most ${MAX_REPRESENTATIVES} representatives`,
          },
        ],
      );
    }
    if (people.length === 0)
      issues.push({ field: 'representatives', code: 'required', message: 'Name at least one representative' });
    const parsed = people.map((person, i) => {
      const email = parseEmail(person?.email, `representatives.${i}.email`);
      const fullName = parseLabel(person?.fullName, `representatives.${i}.fullName`);
      if (!email.ok) issues.push(email.issue);
      if (!fullName.ok) issues.push(fullName.issue);
      return email.ok && fullName.ok ? { email: email.value, fullName: fullName.value } : undefined;
    });
    const emails = parsed.map((p) => p?.email);
    emails.forEach((email, i) => {
      if (email && emails.indexOf(email) !== i)
        issues.push({
          field: `representatives.${i}.email`,
          code: 'duplicate_email',
          message: 'The same email appears twice',
        });
    });
    if (!signedOn.ok || issues.length > 0) throw invalidInput(issues);

    const activationLinks: { email: string; token: string }[] = [];
    await this.step(operatorId, assetProviderId, 'consent', async (tx, status) => {
      const at = this.deps.clock.now();
      for (const person of parsed as { email: string; fullName: string }[]) {
        const representativeId = this.deps.newId();
        await tx.participants.insertRepresentative({ representativeId, assetProviderId, ...person }, at);
        const activation = newActivation(at);
        await tx.credentials.insert(
          {
            email: person.email,
            holder: { representativeId },
            passwordHash: null,
            activationHash: activation.hash,
            activationExpiresAt: activation.expiresAt,
          },
          at,
        );
        activationLinks.push({ email: person.email, token: activation.token });
      }
      await tx.onboarding.update(assetProviderId, { status, consentSignedOn: signedOn.value });
      return { signedOn: signedOn.value, representatives: parsed.map((p) => p!.email) };
    });
    return { ...(await this.get(assetProviderId)), activationLinks };
  }

  /**
   * A new activation link for one of the provider's representatives (the link was lost or expired, or the person
   * forgot the password): the earlier link and password stop working, the person's sessions end.
   */
  async renewActivation(
    operatorId: string,
    assetProviderId: string,
    emailInput: unknown,
  ): Promise<{ email: string; token: string }> {
    const email = parseEmail(emailInput);
    if (!email.ok) throw invalidInput([email.issue]);
    return this.deps.storage.transaction(async (tx) => {
      const provider = await this.lock(tx, assetProviderId);
      const representative = (await tx.onboarding.representatives(provider.assetProviderId)).find(
        (r) => r.email === email.value,
      );
      if (!representative)
        throw new DomainError(DomainErrorCode.notFound, `${email.value} is not a representative of ${provider.name}`);
      const at = this.deps.clock.now();
      const activation = newActivation(at);
      if (
        !(await tx.credentials.renewActivation(
          representative.representativeId,
          activation.hash,
          activation.expiresAt,
          at,
        ))
      ) {
        throw new DomainError(DomainErrorCode.notFound, `${email.value} has no portal login`);
      }
      await this.record(tx, assetProviderId, operatorId, 'activation_renewed', { email: email.value });
      return { email: email.value, token: activation.token };
    });
  }

  activate(operatorId: string, assetProviderId: string): Promise<OnboardingDetail> {
    return this.step(operatorId, assetProviderId, 'activate', async (tx, status) => {
      await tx.onboarding.update(assetProviderId, { status });
      return null;
    });
  }

  async suspend(operatorId: string, assetProviderId: string, input: { reason?: unknown }): Promise<OnboardingDetail> {
    const reason = parseLabel(input.reason, 'reason');
    if (!reason.ok) throw invalidInput([reason.issue]);
    return this.step(operatorId, assetProviderId, 'suspend', async (tx, status) => {
      await tx.onboarding.update(assetProviderId, { status, suspensionReason: reason.value });
      return { reason: reason.value };
    });
  }

  reinstate(operatorId: string, assetProviderId: string): Promise<OnboardingDetail> {
    return this.step(operatorId, assetProviderId, 'reinstate', async (tx, status) => {
      await tx.onboarding.update(assetProviderId, { status, suspensionReason: null });
      return null;
    });
  }

  async reportOf(assetProviderId: string, duModelId: string) {
    const report =
      isUuid(assetProviderId) && isUuid(duModelId)
        ? await this.deps.storage.onboarding.duModelReport(assetProviderId, duModelId)
        : undefined;
    if (!report) throw new DomainError(DomainErrorCode.notFound, `Test report ${duModelId} not found`);
    return report;
  }

  /**
   * An asset provider that subscribed before this platform (the demo's, the tests'): active, its DU models
   * certified, its representatives with passwords when given. Recorded in the audit log as imported.
   */
  async importActive(input: {
    assetProviderId: string;
    name: string;
    vatNumber: string;
    models: readonly { hardwareVersion: string; softwareVersion: string }[];
    representatives: readonly { representativeId: string; email: string; fullName: string; password?: string }[];
  }): Promise<void> {
    const at = this.deps.clock.now();
    const hashes = await Promise.all(
      input.representatives.map((r) => (r.password ? this.deps.hasher.hash(r.password) : null)),
    );
    await this.deps.storage.transaction(async (tx) => {
      const { assetProviderId } = input;
      await tx.participants.insertAssetProvider(
        { assetProviderId, name: input.name, vatNumber: input.vatNumber, status: 'active' },
        at,
      );
      for (const model of input.models) {
        await tx.onboarding.insertDuModel(assetProviderId, {
          duModelId: this.deps.newId(),
          ...model,
          outcome: 'passed',
          testedOn: at.toISOString().slice(0, 10),
          reportFileName: 'imported.txt',
          report: new TextEncoder().encode('Certified before onboarding was recorded on this platform.\n'),
          reportContentType: 'text/plain',
          recordedBy: null,
          createdAt: at,
        });
      }
      for (const [i, r] of input.representatives.entries()) {
        await tx.participants.insertRepresentative(
          { representativeId: r.representativeId, assetProviderId, email: r.email, fullName: r.fullName },
          at,
        );
        await tx.credentials.insert(
          {
            email: r.email.toLowerCase(),
            holder: { representativeId: r.representativeId },
            passwordHash: hashes[i]!,
            activationHash: null,
            activationExpiresAt: null,
          },
          at,
        );
      }
      await tx.onboarding.recordEvent({
        eventId: this.deps.newId(),
        assetProviderId,
        action: 'imported',
        detail: { models: input.models.length },
        at,
      });
    });
  }

  /** One step: lock the provider, check the step is allowed from its status, apply it, record it in the audit log. */
  private async step(
    operatorId: string,
    assetProviderId: string,
    step: OnboardingStep,
    apply: (tx: Stores, status: AssetProviderStatus) => Promise<Record<string, unknown> | null>,
  ): Promise<OnboardingDetail> {
    await this.deps.storage.transaction(async (tx) => {
      const provider = await this.lock(tx, assetProviderId);
      const status = statusAfter(step, provider.status);
      const detail = await apply(tx, status);
      await this.record(tx, assetProviderId, operatorId, step, { ...detail, status });
    });
    return this.get(assetProviderId);
  }

  private async lock(tx: Stores, assetProviderId: string): Promise<AssetProviderDetail> {
    const provider = isUuid(assetProviderId) ? await tx.onboarding.findForUpdate(assetProviderId) : undefined;
    if (!provider) throw notFound(assetProviderId);
    return provider;
  }

  private record(
    tx: Stores,
    assetProviderId: string,
    operatorId: string,
    action: string,
    detail: Record<string, unknown> | null,
  ) {
    return tx.onboarding.recordEvent({
      eventId: this.deps.newId(),
      assetProviderId,
      action,
      detail,
      operatorId,
      at: this.deps.clock.now(),
    });
  }

  /** Today in Rome, as YYYY-MM-DD: dates of paper documents are Italian calendar dates. */
  private today(): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(this.deps.clock.now());
  }
}

function notFound(assetProviderId: string): DomainError {
  return new DomainError(DomainErrorCode.notFound, `Asset provider ${assetProviderId} not found`);
}

/** An Italian VAT number (partita IVA): 11 digits, optionally prefixed IT. */
function parseVatNumber(value: unknown): { ok: true; value: string } | { ok: false; issue: FieldIssue } {
  const text = typeof value === 'string' ? value.replace(/\s/g, '').toUpperCase() : '';
  const digits = text.startsWith('IT') ? text.slice(2) : text;
  if (!/^\d{11}$/.test(digits))
    return {
      ok: false,
      issue: {
        field: 'vatNumber',
        code: 'invalid_vat_number',
        message: 'vatNumber must be 11 digits (partita IVA), optionally after IT',
      },
    };
  return { ok: true, value: `IT${digits}` };
}
