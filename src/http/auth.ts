import type { FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import type { AccessService } from '../services/access.service.js';
import type { Principal } from '../services/ports.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** `Authorization: Bearer <token>` → the representative and its asset provider, or 401. */
export function bearerAuth(access: AccessService) {
  return async (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const principal = match ? await access.authenticate(match[1]) : undefined;
    if (!principal) {
      throw new DomainError(DomainErrorCode.unauthenticated,
        match ? 'The API token is not valid or was revoked' : 'Send an API token as Authorization: Bearer <token>');
    }
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route reached without authentication: the auth hook is not registered');
  return request.principal;
}
