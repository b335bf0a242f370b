/** API tokens, stored as their hashes. */
import type { Caller, TokenHolder } from '../../domain/caller.js';

export interface TokenRecord {
  tokenId: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface TokenStore {
  /** A token of a representative, an operator or a retailer's user (exactly one holder). */
  insert(
    token: { tokenId: string; holder: TokenHolder; tokenHash: Uint8Array; label: string },
    at: Date,
  ): Promise<void>;
  /** Revokes the holder's valid tokens with this label (the demo's, re-issued at each start). */
  revokeLabelled(holder: TokenHolder, label: string, at: Date): Promise<void>;
  /** Revokes one of the holder's tokens; false when it has none with this id still valid. */
  revoke(holder: TokenHolder, tokenId: string, at: Date): Promise<boolean>;
  /** The holder's tokens, newest first, revoked ones included: never a token nor its hash. */
  list(holder: TokenHolder): Promise<TokenRecord[]>;
  /** Who a valid token belongs to. */
  findCaller(tokenHash: Uint8Array): Promise<Caller | undefined>;
}
