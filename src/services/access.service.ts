import { createHash, randomBytes } from 'node:crypto';
import type { NewId, Principal, ParticipantStore, Clock } from './ports.js';

const TOKEN_PREFIX = 'c2_';

/** API tokens are 256 random bits: a plain SHA-256 is enough to store them (no dictionary to guess from). */
export function hashToken(token: string): Uint8Array {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Bearer-token authentication and the issuing of personal API tokens to representatives. */
export class AccessService {
  constructor(
    private readonly participants: ParticipantStore,
    private readonly clock: Clock,
    private readonly newId: NewId,
  ) {}

  async authenticate(token: string | undefined): Promise<Principal | undefined> {
    if (!token || !token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
    return this.participants.findPrincipalByTokenHash(hashToken(token));
  }

  /** Returns the token in clear: the only time it exists outside the caller's hands. */
  async issueToken(representativeId: string, label: string): Promise<string> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.participants.insertToken({ tokenId: this.newId(), representativeId, tokenHash: hashToken(token), label }, this.clock.now());
    return token;
  }
}
