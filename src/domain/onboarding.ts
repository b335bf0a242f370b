import { DomainError, DomainErrorCode, type FieldIssue } from './errors.js';
import type { Parsed } from './identifiers.js';

/**
 * An asset provider's subscription (CHAIN2.md §3): contract by certified mail (PEC), a DU model that passed the
 * integration tests, the consent form naming up to 3 representatives, then access. Only `active` may use the
 * online services; `suspended` is the DSO withdrawing access for a while.
 */
export const AssetProviderStatus = {
  applied: 'applied',
  contractReceived: 'contract_received',
  duCertified: 'du_certified',
  consentReceived: 'consent_received',
  active: 'active',
  suspended: 'suspended',
} as const;
export type AssetProviderStatus = (typeof AssetProviderStatus)[keyof typeof AssetProviderStatus];

/** A DU model's integration test: passed (the model is certified for the asset provider) or failed. */
export const DuModelOutcome = { passed: 'passed', failed: 'failed' } as const;
export type DuModelOutcome = (typeof DuModelOutcome)[keyof typeof DuModelOutcome];

/** A step of the workflow, by the status it needs and the one it leads to. */
export const ONBOARDING_STEPS = {
  contract: { from: ['applied'], to: 'contract_received' },
  /** A passed DU model certifies the provider once; models added later (any status) keep the status. */
  certifyModel: { from: ['contract_received'], to: 'du_certified' },
  consent: { from: ['du_certified'], to: 'consent_received' },
  activate: { from: ['consent_received'], to: 'active' },
  suspend: { from: ['active'], to: 'suspended' },
  reinstate: { from: ['suspended'], to: 'active' },
} as const satisfies Record<string, { from: readonly AssetProviderStatus[]; to: AssetProviderStatus }>;
export type OnboardingStep = keyof typeof ONBOARDING_STEPS;

/** The status after `step`, or a refusal naming what the provider's status allows. */
export function statusAfter(step: OnboardingStep, current: AssetProviderStatus): AssetProviderStatus {
  const rule = ONBOARDING_STEPS[step];
  if (!(rule.from as readonly string[]).includes(current)) {
    throw new DomainError(
      DomainErrorCode.onboardingStepOutOfOrder,
      `The asset provider is ${current}: "${step}" is possible only when it is ${rule.from.join(' or ')}`,
      { status: current, step },
    );
  }
  return rule.to;
}

/** DU models may be tested (and more added) at any point after the contract. */
export function canRecordDuModel(current: AssetProviderStatus): boolean {
  return current !== 'applied';
}

/** A DU model is its hardware and software version together: the key of a certification. */
export const duModelKey = (hardwareVersion: string, softwareVersion: string) =>
  `${hardwareVersion}\u0000${softwareVersion}`;

export function notCertified(
  hardwareVersion: string,
  softwareVersion: string,
  field = 'du.hardwareVersion',
): DomainError {
  return new DomainError(
    DomainErrorCode.duModelNotCertified,
    `DU model ${hardwareVersion} / ${softwareVersion} has not passed the integration tests for this asset provider`,
    [
      {
        field,
        code: DomainErrorCode.duModelNotCertified,
        message: `${hardwareVersion} / ${softwareVersion} is not a certified DU model`,
      },
    ],
  );
}

export const MAX_REPRESENTATIVES = 3;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

/** A calendar date YYYY-MM-DD that exists and is not in the future (`today` in the same form). */
export function parsePastDate(value: unknown, field: string, today: string): Parsed<string> {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return { ok: false, issue: { field, code: 'invalid_date', message: `${field} must be a date as YYYY-MM-DD` } };
  }
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    return { ok: false, issue: { field, code: 'invalid_date', message: `${field} is not a calendar date` } };
  }
  if (value > today)
    return { ok: false, issue: { field, code: 'future_date', message: `${field} cannot be in the future` } };
  return { ok: true, value };
}

/** Passwords: length only (NIST SP 800-63B), checked before hashing. */
export function passwordIssue(password: unknown): FieldIssue | undefined {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    return {
      field: 'password',
      code: 'too_short',
      message: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long`,
    };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return {
      field: 'password',
      code: 'too_long',
      message: `The password must be at most ${MAX_PASSWORD_LENGTH} characters long`,
    };
  }
  return undefined;
}

/** A mailbox as a login: trimmed, lower case, one @ with something on both sides. */
export function parseEmail(value: unknown, field = 'email'): Parsed<string> {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!/^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/.test(email) || email.length > 254) {
    return {
      ok: false,
      issue: { field, code: 'invalid_email', message: `${field} must be an email address (name@example.it)` },
    };
  }
  return { ok: true, value: email };
}
