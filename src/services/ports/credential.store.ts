/** Portal logins, sessions and login attempts. */
import type { Caller, TokenHolder } from '../../domain/caller.js';
import type { AssetProviderStatus } from '../../domain/onboarding.js';

/** A portal login: a representative's or an operator's, by email. */
export interface CredentialRecord {
  email: string;
  holder: TokenHolder;
  passwordHash: string | null;
}

export interface CredentialStore {
  insert(
    credential: {
      email: string;
      holder: TokenHolder;
      passwordHash: string | null;
      activationHash: Uint8Array | null;
      activationExpiresAt: Date | null;
    },
    at: Date,
  ): Promise<void>;
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
  useSession(
    sessionHash: Uint8Array,
    at: Date,
    idleSince: Date,
    touchBefore: Date,
  ): Promise<{ caller: Caller; email: string; expiresAt: Date } | undefined>;
  deleteSession(sessionHash: Uint8Array): Promise<void>;
  /** Removes sessions expired or idle since `idleSince`, and login attempts counted in windows that began before `windowStart`. */
  purgeEnded(at: Date, idleSince: Date, windowStart: Date): Promise<{ sessions: number; attempts: number }>;
  /** Counts one login attempt under `key`, atomically; a window begun before `windowStart` starts over. */
  countAttempt(key: string, at: Date, windowStart: Date): Promise<{ attempts: number; firstAt: Date }>;
  clearAttempts(keys: readonly string[]): Promise<void>;
  /** Who an email is, for the portal: name, and the asset provider with its status. */
  profile(email: string): Promise<
    | {
        fullName: string;
        assetProvider: { id: string; name: string; status: AssetProviderStatus } | null;
        retailer: { id: string; name: string } | null;
      }
    | undefined
  >;
}
