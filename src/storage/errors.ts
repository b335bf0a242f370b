import { DomainError, DomainErrorCode } from '../domain/errors.js';

/** Unique indexes that stand for a domain rule, and the error each one means. */
const uniqueRules: Record<string, () => DomainError> = {
  associations_live_pod: () =>
    new DomainError(DomainErrorCode.alreadyAssociated, 'This supply point already has a live association'),
  associations_live_mac: () =>
    new DomainError(DomainErrorCode.macInUse, 'This DU MAC address is already in a live association'),
  representatives_asset_provider_id_seat_key: () =>
    new DomainError(DomainErrorCode.tooManyRepresentatives, 'An asset provider has at most 3 representatives'),
  representatives_email_key: () =>
    new DomainError(DomainErrorCode.conflict, 'A representative with this email already exists'),
  operators_email_key: () => new DomainError(DomainErrorCode.conflict, 'An operator with this email already exists'),
  credentials_pkey: () => new DomainError(DomainErrorCode.conflict, 'This email already has a portal login'),
  asset_providers_name_key: () =>
    new DomainError(DomainErrorCode.conflict, 'An asset provider with this name already exists'),
  asset_providers_vat_number_key: () =>
    new DomainError(DomainErrorCode.conflict, 'An asset provider with this VAT number already exists'),
};

/** Turns a PostgreSQL unique violation (23505) that stands for a domain rule into that rule's error. */
export function translateUniqueViolation(error: unknown): unknown {
  const pgError = error as { code?: string; constraint?: string };
  const rule = pgError.code === '23505' && pgError.constraint ? uniqueRules[pgError.constraint] : undefined;
  return rule ? Object.assign(rule(), { cause: error }) : error;
}
