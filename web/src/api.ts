import type { FieldIssue } from './types.ts';

/**
 * The portal's only door to the platform: the public API under /api/v1, with the session cookie.
 * Mutations carry the CSRF token of the session and, when JSON, a fresh Idempotency-Key; a 401 on any call made
 * inside a session tells the session holder (session.tsx) that it expired.
 */
export const API_BASE = '/api/v1';

/** An answer of the API that is not a success: the stable `code` chooses the words shown to the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    /** Seconds to wait, from Retry-After (429). */
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field-level problems of an `invalid_input` answer (`pod`, `du.macAddress`, …). */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is FieldIssue => typeof d === 'object' && d !== null && typeof d.field === 'string',
    );
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

let csrfToken: string | null = null;
let sessionExpired: () => void = () => {};
let accessChanged: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on a 401 from a call made within a session (not from the login or the first session check). */
export function onSessionExpired(listener: () => void): void {
  sessionExpired = listener;
}

/** Called when the API refuses the services because the asset provider is no longer active (the banner must show). */
export function onAccessChanged(listener: () => void): void {
  accessChanged = listener;
}

/** A random UUID v4; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `/api/v1` + path + the query without its empty values: also for links (CSV downloads). */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

interface CallOptions {
  query?: Query;
  body?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** A 401 is an answer here (login, first session check), not a sign that the session expired. */
  anonymous?: boolean;
  /**
   * Send no Idempotency-Key: the session and activation routes live outside the idempotent scope, and answers that
   * carry a secret shown once (a new token, activation links) are never stored for a replay, so the API refuses a key.
   */
  noIdempotencyKey?: boolean;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

function retryAfterOf(response: Response): number | null {
  const value = response.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

async function call<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET') {
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
    // Multipart forms cannot be fingerprinted by the server, which refuses a key on them.
    if (!options.form && !options.noIdempotencyKey) headers['idempotency-key'] = newIdempotencyKey();
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'The platform could not be reached', undefined, null);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : response.statusText;
    if (response.status === 401 && !options.anonymous) sessionExpired();
    if (code === 'asset_provider_not_active') accessChanged();
    throw new ApiError(response.status, code, message, error?.details, retryAfterOf(response));
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query, options: Omit<CallOptions, 'query' | 'body' | 'form'> = {}) =>
    call<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options: Omit<CallOptions, 'body'> = {}) =>
    call<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, { body }),
  delete: <T>(path: string) => call<T>('DELETE', path),
  postForm: <T>(path: string, form: FormData, query?: Query) => call<T>('POST', path, { form, query }),
};
