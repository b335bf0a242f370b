/**
 * Outcomes the domain predicts, with codes that are stable forever (clients switch on them).
 * HTTP statuses are chosen at the edge (http/errors.ts), not here.
 */
export const DomainErrorCode = {
  invalidInput: 'invalid_input',
  unauthenticated: 'unauthenticated',
  /** Authenticated, but this route is for another role (an operator on an asset provider's route, or the reverse). */
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  alreadyAssociated: 'already_associated',
  macInUse: 'mac_in_use',
  requestInProgress: 'request_in_progress',
  idempotencyKeyReused: 'idempotency_key_reused',
  notEligible: 'not_eligible',
  /** The supply point has no concentrator: no Chain 1 command can reach its meter. */
  notTelemanaged: 'not_telemanaged',
  invalidFile: 'invalid_file',
  fileTooLarge: 'file_too_large',
  /** A service this process cannot reach or does not run (e.g. the field network of an API-only process). */
  unavailable: 'unavailable',
  /** The asset provider's subscription is not (or no longer) active: no online service until it is. */
  assetProviderNotActive: 'asset_provider_not_active',
  /** The DU's hardware + software version has not passed the integration tests for this asset provider. */
  duModelNotCertified: 'du_model_not_certified',
  onboardingStepOutOfOrder: 'onboarding_step_out_of_order',
  tooManyRepresentatives: 'too_many_representatives',
  invalidCredentials: 'invalid_credentials',
  /** Too many failed logins for this email: wait (Retry-After) before trying again. */
  tooManyAttempts: 'too_many_attempts',
  /** A mutation sent with the session cookie but without the session's CSRF token. */
  csrfFailed: 'csrf_failed',
  /** An activation link already used, expired or unknown. */
  activationExpired: 'activation_expired',
} as const;
export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

/** One problem with one input field; `field` is a dotted path such as `du.macAddress`. */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

export function invalidInput(issues: FieldIssue[]): DomainError {
  const fields = issues.map((i) => i.field).join(', ');
  return new DomainError(DomainErrorCode.invalidInput, `Invalid input: ${fields}`, issues);
}
