import type { ConnectionError, FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { DomainError, DomainErrorCode, type FieldIssue } from '../domain/errors.js';
import { ECHO_TEXT_CHARS, echo, echoDetails, echoIssue } from './echo.js';

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

const TOO_MANY_FORM_FIELDS = {
  status: 400,
  code: 'invalid_file',
  message: 'Too many form fields: send the CSV as the field "file"',
};

/**
 * Errors raised by HTTP itself, not by the domain: the framework's and its plugins' codes. Each is the caller's
 * mistake, answered in the one error shape and logged at info (never as an error of ours).
 */
const transportErrors: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_input',
    message: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_input', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_input', message: 'The body is not valid JSON' },
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'invalid_input',
    message: 'The address is not a valid URL (a % must start an escape such as %20)',
  },
  // The portal's files: a path outside them, or not written the one canonical way (`//`, `..`, a NUL byte).
  FST_STATIC_FORBIDDEN_PATH: { status: 404, code: 'not_found', message: 'No such page' },
  FST_REQ_FILE_TOO_LARGE: {
    status: 413,
    code: 'file_too_large',
    message: 'The file is larger than the bulk upload limit (BULK_MAX_BYTES)',
  },
  FST_FILES_LIMIT: {
    status: 400,
    code: 'invalid_file',
    message: 'Send one file per request, as the form field "file"',
  },
  FST_PARTS_LIMIT: TOO_MANY_FORM_FIELDS,
  FST_FIELDS_LIMIT: TOO_MANY_FORM_FIELDS,
  FST_PROTO_VIOLATION: { status: 400, code: 'invalid_file', message: 'A form field name is not allowed' },
  FST_MP_PREMATURE_CLOSE: { status: 400, code: 'invalid_file', message: 'The form ended before its last part' },
  FST_INVALID_JSON_FIELD_ERROR: {
    status: 400,
    code: 'invalid_file',
    message: 'A form field declared as application/json is not valid JSON',
  },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send the CSV as text/csv or as multipart/form-data',
  },
};

const INTERNAL_ERROR = 'internal_error';
/** Node's HTTP parser refuses a URL and headers over its limit (16 KB) with 431, anything else it cannot parse with 400. */
const HEADER_OVERFLOW = {
  status: 431,
  code: 'request_header_too_large',
  message: 'The URL and headers are larger than the 16 KB accepted',
};

/**
 * The codes HTTP itself answers with (the transport table and the catch-all), beside the domain's DomainErrorCode:
 * together, every code a client may receive. The portal's labels are checked against both (test/error-labels.test.ts).
 */
export const HTTP_ERROR_CODES: readonly string[] = [
  ...new Set([...Object.values(transportErrors).map((e) => e.code), HEADER_OVERFLOW.code, INTERNAL_ERROR]),
];

/** Bodies that are files: over the route's limit, they are a file too large (as a form's file is), not a body. */
const FILE_MEDIA_TYPES = new Set(['text/csv', 'application/octet-stream', 'multipart/form-data']);

/** `text/csv; charset=utf-8` → `text/csv`. */
export function mediaTypeOf(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '')
    .split(';', 1)[0]!
    .trim()
    .toLowerCase();
}

function transportErrorOf(error: FastifyError, request: FastifyRequest) {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && FILE_MEDIA_TYPES.has(mediaTypeOf(request))) {
    return {
      status: 413,
      code: DomainErrorCode.fileTooLarge,
      message: `The file is larger than the ${request.routeOptions.bodyLimit} bytes accepted here`,
    };
  }
  const known = error.code ? transportErrors[error.code] : undefined;
  if (known) return known;
  // Any other refusal the framework or a plugin marks as the client's (4xx): one answer, not an error of ours.
  const status = error.statusCode ?? 0;
  return status >= 400 && status < 500
    ? { status: 400, code: DomainErrorCode.invalidInput, message: 'The request cannot be read' }
    : undefined;
}

/** The one error shape. The message and details are bounded: they may repeat a caller's input. */
export function errorBody(code: string, message: string, details?: unknown) {
  const bounded = echo(message, 2 * ECHO_TEXT_CHARS);
  return {
    error:
      details === undefined ? { code, message: bounded } : { code, message: bounded, details: echoDetails(details) },
  };
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The most schema issues one answer lists (allErrors: a body of many unknown fields would list each). */
const MAX_ISSUES = 100;

/** Schema validation issues → the same field issues the domain reports (`du.macAddress`, `limit`). */
function fieldIssues(validation: AjvIssue[]): FieldIssue[] {
  return validation.slice(0, MAX_ISSUES).map((v) => {
    const path = v.instancePath.split('/').filter(Boolean);
    if (v.keyword === 'required') path.push(String(v.params.missingProperty));
    if (v.keyword === 'additionalProperties') path.push(String(v.params.additionalProperty));
    const field = path.join('.') || 'body';
    const code =
      v.keyword === 'required'
        ? 'required'
        : v.keyword === 'additionalProperties'
          ? 'unknown_field'
          : `invalid_${v.keyword}`;
    const message =
      v.keyword === 'additionalProperties' ? `${field} is not a known field` : `${field} ${v.message ?? 'is invalid'}`;
    return echoIssue({ field, code, message });
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
    return reply
      .code(400)
      .send(errorBody(DomainErrorCode.invalidInput, `Invalid input: ${issues.map((i) => i.field).join(', ')}`, issues));
  }
  const transport = transportErrorOf(error, request);
  if (transport) {
    request.log.info({ errorCode: error.code, status: transport.status }, 'request refused');
    return reply.code(transport.status).send(errorBody(transport.code, transport.message));
  }
  request.log.error({ err: error }, 'unexpected error');
  return reply.code(500).send(errorBody(INTERNAL_ERROR, 'Something went wrong on our side; the error was logged'));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send(errorBody(DomainErrorCode.notFound, `No route ${request.method} ${request.url.split('?')[0]}`));
}

const NOT_HTTP = { status: 400, code: DomainErrorCode.invalidInput, message: 'The request is not valid HTTP' };

/**
 * Refusals of Node's HTTP parser, before any route or hook runs (a URL or headers over 16 KB, bytes that are not
 * HTTP): the same error shape and headers, written on the socket itself since there is no request to reply to.
 */
export function answerClientError(headers: Record<string, string>) {
  return function answer(this: { log: FastifyBaseLogger }, error: ConnectionError, socket: Socket) {
    // A connection reset: nobody is left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, code, message } = error.code === 'HPE_HEADER_OVERFLOW' ? HEADER_OVERFLOW : NOT_HTTP;
    this.log.info({ errorCode: error.code, status }, 'request refused by the HTTP parser');
    const body = JSON.stringify(errorBody(code, message));
    const head = {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    if (socket.writable) {
      socket.write(
        [
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
          ...Object.entries(head).map(([name, value]) => `${name}: ${value}`),
          '',
          body,
        ].join('\r\n'),
      );
    }
    socket.destroy(error);
  };
}
