/** Replays of POSTs sent with an Idempotency-Key. */

export interface StoredResponse {
  statusCode: number;
  body: string;
}

export interface IdempotencyStore {
  /**
   * Reserves `key` for `fingerprint` (false when a reservation younger than `since` exists; an older one is replaced).
   */
  reserve(scope: string, key: string, fingerprint: string, at: Date, since: Date): Promise<boolean>;
  find(scope: string, key: string): Promise<{ fingerprint: string; response: StoredResponse | null } | undefined>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}
