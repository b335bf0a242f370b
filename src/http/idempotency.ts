import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidInput } from '../domain/errors.js';
import { IdempotencyService } from '../services/idempotency.service.js';
import { idempotencyScopeOf } from './auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key this request reserved, and the timer renewing the reservation while the request runs. */
    idempotencyKey?: { scope: string; key: string; renewal: NodeJS.Timeout };
  }
  interface FastifyContextConfig {
    /** The answer carries a secret shown once (a new API token, activation links): it is never stored for a replay. */
    secretResponse?: boolean;
  }
}

/**
 * Idempotency-Key on POST: the first answer is stored with the key (per asset provider, or per operator) and replayed to a retry,
 * with header `Idempotent-Replayed: true`. Registered after authentication. While the request runs its reservation is
 * renewed, so that a retry can tell it from one whose process died (IdempotencyService).
 */
export function registerIdempotency(app: FastifyInstance, idempotency: IdempotencyService) {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof key !== 'string') return;
    if (request.isMultipart()) {
      // A form's file is read by the handler, after this hook: it could not be part of the fingerprint.
      throw invalidInput([
        {
          field: 'Idempotency-Key',
          code: 'not_supported',
          message: 'Idempotency-Key needs the CSV as the body (Content-Type: text/csv), not as a form',
        },
      ]);
    }
    if (request.routeOptions.config.secretResponse) {
      throw invalidInput([
        {
          field: 'Idempotency-Key',
          code: 'not_supported',
          message:
            'This answer carries a secret shown once and is never stored for a replay: send it without Idempotency-Key',
        },
      ]);
    }
    const scope = idempotencyScopeOf(request);
    const fingerprint = IdempotencyService.fingerprint(
      request.method,
      request.routeOptions.url ?? request.url,
      request.body,
    );
    const outcome = await idempotency.begin(scope, key, fingerprint);
    if (outcome.kind === 'replay') {
      return reply
        .code(outcome.response.statusCode)
        .header('content-type', 'application/json; charset=utf-8')
        .header('idempotent-replayed', 'true')
        .send(outcome.response.body);
    }
    const renewal = setInterval(() => {
      idempotency
        .renew(scope, key)
        .catch((error: unknown) => request.log.warn({ err: error }, 'could not renew an Idempotency-Key reservation'));
    }, idempotency.renewEveryMs);
    renewal.unref();
    request.idempotencyKey = { scope, key, renewal };
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.idempotencyKey) return payload;
    const { scope, key, renewal } = request.idempotencyKey;
    clearInterval(renewal);
    await idempotency.finish(scope, key, { statusCode: reply.statusCode, body: String(payload) });
    return payload;
  });
  // Whatever way the request ended, it no longer holds its key (onSend has normally stopped the renewal already).
  app.addHook('onResponse', async (request) => {
    if (request.idempotencyKey) clearInterval(request.idempotencyKey.renewal);
  });
}
