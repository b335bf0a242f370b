import { createHash } from 'node:crypto';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import type { Clock, IdempotencyStore, StoredResponse } from './ports/index.js';

/** How long a key is remembered: a client retrying later than this gets a new request. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type IdempotencyOutcome = { kind: 'proceed' } | { kind: 'replay'; response: StoredResponse };

/**
 * `Idempotency-Key` on a POST: a retry with the same key and body gets the first answer instead of a second
 * request; the same key with another body is refused. Keys are scoped per asset provider.
 */
export class IdempotencyService {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  static fingerprint(method: string, path: string, body: unknown): string {
    return createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`).digest('base64url');
  }

  async begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyOutcome> {
    const now = this.clock.now();
    if (await this.store.reserve(scope, key, fingerprint, now, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS))) {
      return { kind: 'proceed' };
    }
    const existing = await this.store.find(scope, key);
    if (!existing) return this.begin(scope, key, fingerprint);
    if (existing.fingerprint !== fingerprint) {
      throw new DomainError(DomainErrorCode.idempotencyKeyReused, 'This Idempotency-Key was already used for a different request');
    }
    if (!existing.response) {
      throw new DomainError(DomainErrorCode.conflict, 'A request with this Idempotency-Key is still being processed; retry shortly');
    }
    return { kind: 'replay', response: existing.response };
  }

  /** Remembers a final answer; a server error is forgotten so that a retry can succeed. */
  async finish(scope: string, key: string, response: StoredResponse): Promise<void> {
    if (response.statusCode >= 500) await this.store.release(scope, key);
    else await this.store.complete(scope, key, response);
  }
}
