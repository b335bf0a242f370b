/** Replays of POSTs sent with an Idempotency-Key. */

export interface StoredResponse {
  statusCode: number;
  body: string;
}

export interface IdempotencyStore {
  /**
   * Reserves `key` for `fingerprint` (false when a reservation younger than `since` exists; an older one is replaced).
   * Also takes over a reservation of the same fingerprint whose request died: not renewed for `leaseSeconds`, or not
   * since the database server started.
   */
  reserve(
    scope: string,
    key: string,
    fingerprint: string,
    at: Date,
    since: Date,
    leaseSeconds?: number,
  ): Promise<boolean>;
  /** Shows that the request holding the key's reservation is alive (a reservation only: an answer is left alone). */
  renew(scope: string, key: string): Promise<void>;
  find(scope: string, key: string): Promise<{ fingerprint: string; response: StoredResponse | null } | undefined>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}
