import { createHash, randomBytes } from 'node:crypto';
import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors.js';
import { parseLabel } from '../domain/identifiers.js';
import { isUuid } from './pagination.js';
import type { Clock, NewId, TokenRecord, TokenStore } from './ports/index.js';
import type { Caller, TokenHolder } from '../domain/caller.js';

const TOKEN_PREFIX = 'c2_';

/** API tokens are 256 random bits: a plain SHA-256 is enough to store them (no dictionary to guess from). */
export function hashToken(token: string): Uint8Array {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** How long a verified token is trusted without asking the database again: a revocation takes at most this long. */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_ENTRIES = 10_000;
/** Valid personal tokens one holder may have at once. */
export const MAX_ACTIVE_TOKENS = 20;

/** Bearer-token authentication and the issuing of personal API tokens to representatives and DSO operators. */
export class AccessService {
  /** Keyed by the token's hash (never the token); Map order is insertion order, so the first key is the oldest. */
  private readonly verified = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly tokens: TokenStore,
    private readonly clock: Clock,
    private readonly newId: NewId,
  ) {}

  async authenticate(token: string | undefined): Promise<Caller | undefined> {
    if (!token || !token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
    const hash = hashToken(token);
    const key = Buffer.from(hash).toString('base64');
    const now = this.clock.now().getTime();
    const cached = this.verified.get(key);
    if (cached && cached.until > now) return cached.caller;
    this.verified.delete(key);
    const caller = await this.tokens.findCaller(hash);
    if (caller) {
      if (this.verified.size >= TOKEN_CACHE_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(key, { caller, until: now + TOKEN_CACHE_MS });
    }
    return caller;
  }

  /** Revokes a holder's tokens with this label, at once in this process (others within TOKEN_CACHE_MS). */
  async revokeTokens(holder: TokenHolder, label: string): Promise<void> {
    await this.tokens.revokeLabelled(holder, label, this.clock.now());
    this.verified.clear();
  }

  /** Returns the token in clear: the only time it exists outside the caller's hands. */
  async issueToken(holder: TokenHolder, label: string): Promise<string> {
    return (await this.createToken(holder, label)).token;
  }

  /** A personal token asked for through the API: a valid label, and at most MAX_ACTIVE_TOKENS valid at once. */
  async createToken(holder: TokenHolder, label: unknown): Promise<TokenRecord & { token: string }> {
    const parsed = parseLabel(label, 'label');
    if (!parsed.ok) throw invalidInput([parsed.issue]);
    const active = (await this.tokens.list(holder)).filter((t) => t.revokedAt === null).length;
    if (active >= MAX_ACTIVE_TOKENS) {
      throw new DomainError(
        DomainErrorCode.conflict,
        `At most ${MAX_ACTIVE_TOKENS} tokens may be valid at once: revoke one first`,
      );
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record: TokenRecord = {
      tokenId: this.newId(),
      label: parsed.value,
      createdAt: this.clock.now(),
      revokedAt: null,
    };
    await this.tokens.insert(
      { tokenId: record.tokenId, holder, tokenHash: hashToken(token), label: record.label },
      record.createdAt,
    );
    return { ...record, token };
  }

  listTokens(holder: TokenHolder): Promise<TokenRecord[]> {
    return this.tokens.list(holder);
  }

  /** Revokes one of the holder's own tokens, at once in this process (others within TOKEN_CACHE_MS). */
  async revokeToken(holder: TokenHolder, tokenId: string): Promise<void> {
    if (!isUuid(tokenId) || !(await this.tokens.revoke(holder, tokenId, this.clock.now()))) {
      throw new DomainError(DomainErrorCode.notFound, `Token ${tokenId} not found (or already revoked)`);
    }
    this.verified.clear();
  }
}
