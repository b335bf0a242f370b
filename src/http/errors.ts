import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode, type FieldIssue } from '../domain/errors.js';

/** The one table of HTTP statuses: a new domain code without a status does not compile. */
const statusOf = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  already_associated: 409,
  mac_in_use: 409,
  request_in_progress: 409,
  idempotency_key_reused: 422,
  not_eligible: 422,
  not_telemanaged: 422,
  invalid_file: 400,
  file_too_large: 413,
  unavailable: 503,
  asset_provider_not_active: 403,
  du_model_not_certified: 422,
  onboarding_step_out_of_order: 409,
  too_many_representatives: 422,
  invalid_credentials: 401,
  too_many_attempts: 429,
  csrf_failed: 403,
  activation_expired: 410,
} as const satisfies Record<DomainErrorCode, number>;

/** Errors raised by HTTP itself, not by the domain. */
const transportErrors: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_input', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_input', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_input', message: 'The body is not valid JSON' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'file_too_large', message: 'The file is larger than the bulk upload limit (BULK_MAX_BYTES)' },
  FST_FILES_LIMIT: { status: 400, code: 'invalid_file', message: 'Send one file per bulk upload' },
  FST_PARTS_LIMIT: { status: 400, code: 'invalid_file', message: 'Too many form fields: send the CSV as the field "file"' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send the CSV as text/csv or as multipart/form-data' },
};

const INTERNAL_ERROR = 'internal_error';

/**
 * The codes HTTP itself answers with (the transport table and the catch-all), beside the domain's DomainErrorCode:
 * together, every code a client may receive. The portal's labels are checked against both (test/error-labels.test.ts).
 */
export const HTTP_ERROR_CODES: readonly string[] = [...new Set([...Object.values(transportErrors).map((e) => e.code), INTERNAL_ERROR])];

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Schema validation issues → the same field issues the domain reports (`du.macAddress`, `limit`). */
function fieldIssues(validation: AjvIssue[]): FieldIssue[] {
  return validation.map((v) => {
    const path = v.instancePath.split('/').filter(Boolean);
    if (v.keyword === 'required') path.push(String(v.params.missingProperty));
    if (v.keyword === 'additionalProperties') path.push(String(v.params.additionalProperty));
    const field = path.join('.') || 'body';
    const code = v.keyword === 'required' ? 'required' : v.keyword === 'additionalProperties' ? 'unknown_field' : `invalid_${v.keyword}`;
    const message = v.keyword === 'additionalProperties' ? `${field} is not a known field` : `${field} ${v.message ?? 'is invalid'}`;
    return { field, code, message };
  });
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError) {
    const status = statusOf[error.code];
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    const retryAfter = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retryAfter) reply.header('retry-after', String(retryAfter));
    return reply.code(status).send(errorBody(error.code, error.message, error.details));
  }
  if (error.validation) {
    const issues = fieldIssues(error.validation as AjvIssue[]);
    return reply.code(400).send(errorBody(DomainErrorCode.invalidInput, `Invalid input: ${issues.map((i) => i.field).join(', ')}`, issues));
  }
  const transport = error.code ? transportErrors[error.code] : undefined;
  if (transport) return reply.code(transport.status).send(errorBody(transport.code, transport.message));
  request.log.error({ err: error }, 'unexpected error');
  return reply.code(500).send(errorBody(INTERNAL_ERROR, 'Something went wrong on our side; the error was logged'));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send(errorBody(DomainErrorCode.notFound, `No route ${request.method} ${request.url.split('?')[0]}`));
}
