import { createHash } from 'node:crypto';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import type { Clock, IdempotencyStore, StoredResponse } from './ports/index.js';

/** How long a key is remembered: a client retrying later than this gets a new request. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * How long a reservation outlives the last sign of life of the request holding it (renewed every third of this while
 * it runs). A retry of a request that died with its process waits at most this long; on the embedded database it
 * waits for nothing, since the database starts again with the next process.
 */
export const DEFAULT_IDEMPOTENCY_LEASE_SECONDS = 30;

export type IdempotencyOutcome = { kind: 'proceed' } | { kind: 'replay'; response: StoredResponse };

/**
 * `Idempotency-Key` on a POST: a retry with the same key and body gets the first answer instead of a second
 * request; the same key with another body is refused. Keys are scoped per asset provider.
 *
 * While the first request runs, its key is reserved and a retry is told to come back shortly. The reservation is
 * a lease the request renews (renewEveryMs): if the request's process dies, a retry takes the key over once the lease
 * has run out, or at once when the database has started since (the embedded database's next process). The retry
 * then does the work again: if the dead request had committed it, the retry gets the answer that work gives now (a
 * create: `already_associated`) — a final answer, not the original one, which was never stored.
 */
export class IdempotencyService {
  private readonly leaseSeconds: number;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
    options: { leaseSeconds?: number } = {},
  ) {
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_IDEMPOTENCY_LEASE_SECONDS;
  }

  static fingerprint(method: string, path: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
      .digest('base64url');
  }

  /** How often a request holding a reservation renews it: three times per lease, so one late renewal loses nothing. */
  get renewEveryMs(): number {
    return (this.leaseSeconds * 1000) / 3;
  }

  async begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyOutcome> {
    const now = this.clock.now();
    if (
      await this.store.reserve(
        scope,
        key,
        fingerprint,
        now,
        new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS),
        this.leaseSeconds,
      )
    ) {
      return { kind: 'proceed' };
    }
    const existing = await this.store.find(scope, key);
    if (!existing) return this.begin(scope, key, fingerprint);
    if (existing.fingerprint !== fingerprint) {
      throw new DomainError(
        DomainErrorCode.idempotencyKeyReused,
        'This Idempotency-Key was already used for a different request',
      );
    }
    if (!existing.response) {
      throw new DomainError(
        DomainErrorCode.conflict,
        'A request with this Idempotency-Key is still being processed; retry shortly',
      );
    }
    return { kind: 'replay', response: existing.response };
  }

  /** Keeps the reservation of a request still running (see renewEveryMs). */
  async renew(scope: string, key: string): Promise<void> {
    await this.store.renew(scope, key);
  }

  /** Remembers a final answer; a server error is forgotten so that a retry can succeed. */
  async finish(scope: string, key: string, response: StoredResponse): Promise<void> {
    if (response.statusCode >= 500) await this.store.release(scope, key);
    else await this.store.complete(scope, key, response);
  }
}
