import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors.js';
import { parseEmail, passwordIssue, type AssetProviderStatus } from '../domain/onboarding.js';
import type { Clock, NewId, PasswordHasher, Storage } from './ports/index.js';
import type { Caller, TokenHolder } from '../domain/caller.js';

/** A session ends after 30 minutes without use, and 8 hours after login in any case. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 8 * 3_600_000;
/** A session's last use is written at most once a minute: it may end up to a minute before 30 minutes unused. */
export const SESSION_TOUCH_MS = 60_000;
/**
 * Login attempts are counted before the password is checked, in 15-minute windows: 5 per email from one address
 * (then that address waits for the window to end), and 50 per email from anywhere (a ceiling on guesses spread over
 * many addresses; reaching it locks the email out for the rest of the window, the price of bounding them).
 */
export const LOGIN_ATTEMPTS_PER_ADDRESS = 5;
export const LOGIN_ATTEMPTS_PER_EMAIL = 50;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** How long an activation link (sent to a representative's mailbox) stays valid. */
export const ACTIVATION_TTL_MS = 7 * 24 * 3_600_000;

/** Session and activation tokens are 256 random bits: stored only as their SHA-256. */
const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const newSecret = () => randomBytes(32).toString('base64url');

export interface SessionView {
  user: {
    role: Caller['role'];
    email: string;
    fullName: string;
    assetProvider: { id: string; name: string; status: AssetProviderStatus } | null;
    retailer: { id: string; name: string } | null;
  };
  /** Send back as X-CSRF-Token on every mutation made with the session cookie. */
  csrfToken: string;
  expiresAt: Date;
}

/** A one-time link for a new login: the token for the mailbox, its hash and expiry for the database. */
export function newActivation(now: Date): { token: string; hash: Uint8Array; expiresAt: Date } {
  const token = newSecret();
  return { token, hash: sha256(token), expiresAt: new Date(now.getTime() + ACTIVATION_TTL_MS) };
}

/**
 * Portal logins: email + password (scrypt) → a server-side session whose random token travels only in an HttpOnly
 * cookie. The CSRF token is derived from the session token (HMAC), so it needs no storage and dies with the session.
 */
export class SessionService {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: { storage: Storage; hasher: PasswordHasher; clock: Clock; newId: NewId }) {}

  async login(
    emailInput: unknown,
    password: unknown,
    clientAddress: string,
  ): Promise<SessionView & { sessionToken: string }> {
    const { storage, hasher, clock } = this.deps;
    const parsed = parseEmail(emailInput);
    const email = parsed.ok
      ? parsed.value
      : String(emailInput ?? '')
          .trim()
          .toLowerCase()
          .slice(0, 254);
    const now = clock.now();
    const keys = [`${clientAddress} ${email}`, email];
    await this.countAttempt(keys[0]!, LOGIN_ATTEMPTS_PER_ADDRESS, now);
    await this.countAttempt(keys[1]!, LOGIN_ATTEMPTS_PER_EMAIL, now);
    const credential = parsed.ok ? await storage.credentials.findByEmail(email) : undefined;
    let valid = false;
    if (typeof password === 'string' && credential?.passwordHash) {
      valid = await hasher.verify(password, credential.passwordHash);
    } else {
      // The same scrypt work whether or not the email has a password, so timing does not tell which emails exist.
      await hasher.verify(String(password ?? ''), await (this.dummyHash ??= hasher.hash(newSecret())));
    }
    if (!valid) throw new DomainError(DomainErrorCode.invalidCredentials, 'Wrong email or password');
    await storage.credentials.clearAttempts(keys);
    const sessionToken = newSecret();
    await storage.credentials.insertSession({
      sessionHash: sha256(sessionToken),
      email,
      at: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_MS),
    });
    const session = await this.resume(sessionToken);
    if (!session) throw new Error('a session just created was not found');
    return { sessionToken, ...(await this.describe(sessionToken, session)) };
  }

  /** The caller of a live session (its idle timer restarts), or undefined when it ended or never was. */
  async resume(
    sessionToken: string | undefined,
  ): Promise<{ caller: Caller; email: string; expiresAt: Date } | undefined> {
    if (!sessionToken || sessionToken.length > 100) return undefined;
    const now = this.deps.clock.now();
    return this.deps.storage.credentials.useSession(
      sha256(sessionToken),
      now,
      new Date(now.getTime() - SESSION_IDLE_MS),
      new Date(now.getTime() - SESSION_TOUCH_MS),
    );
  }

  async describe(
    sessionToken: string,
    session: { caller: Caller; email: string; expiresAt: Date },
  ): Promise<SessionView> {
    const profile = await this.deps.storage.credentials.profile(session.email);
    if (!profile) throw new DomainError(DomainErrorCode.unauthenticated, "The session's login no longer exists");
    return {
      user: {
        role: session.caller.role,
        email: session.email,
        fullName: profile.fullName,
        assetProvider: profile.assetProvider,
        retailer: profile.retailer,
      },
      csrfToken: csrfTokenOf(sessionToken),
      expiresAt: session.expiresAt,
    };
  }

  async logout(sessionToken: string): Promise<void> {
    await this.deps.storage.credentials.deleteSession(sha256(sessionToken));
  }

  /** Housekeeping: sessions that can no longer be resumed, and login attempts no longer counted, removed. */
  purgeEnded(): Promise<{ sessions: number; attempts: number }> {
    const now = this.deps.clock.now();
    return this.deps.storage.credentials.purgeEnded(
      now,
      new Date(now.getTime() - SESSION_IDLE_MS),
      new Date(now.getTime() - LOGIN_WINDOW_MS),
    );
  }

  /** An administrative reset (the demo's logins at each start): the login's sessions end. */
  async setPassword(holder: TokenHolder, email: string, password: string): Promise<void> {
    const issue = passwordIssue(password);
    if (issue) throw invalidInput([issue]);
    const passwordHash = await this.deps.hasher.hash(password);
    await this.deps.storage.credentials.setPassword(
      { email: email.toLowerCase(), holder },
      passwordHash,
      this.deps.clock.now(),
    );
  }

  /** Sets the password of the login an activation link was sent for, and spends the link. */
  async activate(token: unknown, password: unknown): Promise<void> {
    const issue = passwordIssue(password);
    if (issue) throw invalidInput([issue]);
    const now = this.deps.clock.now();
    const hash = typeof token === 'string' && token.length <= 100 ? sha256(token) : undefined;
    const expired = () =>
      new DomainError(
        DomainErrorCode.activationExpired,
        'This activation link was already used, has expired or is not valid: ask the DSO for a new one',
      );
    // The link is checked before the (deliberately slow) hashing, so unknown links cost nothing; the UPDATE below
    // still spends it only once.
    if (!hash || !(await this.deps.storage.credentials.hasPendingActivation(hash, now))) throw expired();
    const passwordHash = await this.deps.hasher.hash(password as string);
    const activated = await this.deps.storage.transaction(async (tx) => {
      const credential = await tx.credentials.activate(hash, passwordHash, now);
      if (credential && 'representativeId' in credential.holder) {
        const assetProviderId = (await tx.credentials.profile(credential.email))?.assetProvider?.id;
        if (assetProviderId) {
          await tx.onboarding.recordEvent({
            eventId: this.deps.newId(),
            assetProviderId,
            action: 'representative_activated',
            detail: { email: credential.email },
            representativeId: credential.holder.representativeId,
            at: now,
          });
        }
      }
      return credential;
    });
    if (!activated) throw expired();
  }

  /** Counts an attempt before any password is checked; over the limit, refuses until the window ends. */
  private async countAttempt(key: string, limit: number, now: Date): Promise<void> {
    const { attempts, firstAt } = await this.deps.storage.credentials.countAttempt(
      key,
      now,
      new Date(now.getTime() - LOGIN_WINDOW_MS),
    );
    if (attempts <= limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((firstAt.getTime() + LOGIN_WINDOW_MS - now.getTime()) / 1000));
    throw new DomainError(
      DomainErrorCode.tooManyAttempts,
      `Too many login attempts for this email: try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`,
      { retryAfterSeconds },
    );
  }
}

/** The session's CSRF token: HMAC of the session token, which pages never see (HttpOnly cookie). */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('chain2 csrf').digest('base64url');
}

export function csrfMatches(sessionToken: string, sent: string | undefined): boolean {
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const given = Buffer.from(sent ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
