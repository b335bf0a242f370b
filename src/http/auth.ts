import type { FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import type { AccessService } from '../services/access.service.js';
import type { Caller, Principal, TokenHolder } from '../services/ports.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** `Authorization: Bearer <token>` → the representative (and asset provider) or the DSO operator, or 401. */
export function bearerAuth(access: AccessService) {
  return async (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const caller = match ? await access.authenticate(match[1]) : undefined;
    if (!caller) {
      throw new DomainError(DomainErrorCode.unauthenticated,
        match ? 'The API token is not valid or was revoked' : 'Send an API token as Authorization: Bearer <token>');
    }
    request.caller = caller;
  };
}

const ROLE_REFUSALS: Record<Caller['role'], string> = {
  asset_provider: 'This service is for asset providers\' representatives; DSO operators use /operations',
  dso_operator: 'Remote operations on meters are for DSO operators only',
};

/** A hook for a scope of routes of one role: the other role gets 403 before any other work is done. */
export function requireRole(role: Caller['role']) {
  return async (request: FastifyRequest) => {
    if (callerOf(request).role !== role) throw new DomainError(DomainErrorCode.forbidden, ROLE_REFUSALS[role]);
  };
}

function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('route reached without authentication: the auth hook is not registered');
  return request.caller;
}

/** The asset provider's representative calling an online service; a DSO operator gets 403. */
export function principalOf(request: FastifyRequest): Principal {
  const caller = callerOf(request);
  if (caller.role !== 'asset_provider') throw new DomainError(DomainErrorCode.forbidden, ROLE_REFUSALS.asset_provider);
  return { representativeId: caller.representativeId, assetProviderId: caller.assetProviderId };
}

/** The DSO operator calling an operator route; a representative gets 403. */
export function operatorOf(request: FastifyRequest): { operatorId: string } {
  const caller = callerOf(request);
  if (caller.role !== 'dso_operator') throw new DomainError(DomainErrorCode.forbidden, ROLE_REFUSALS.dso_operator);
  return { operatorId: caller.operatorId };
}

/** The caller as the holder of its own API tokens. */
export function tokenHolderOf(request: FastifyRequest): TokenHolder {
  const caller = callerOf(request);
  return caller.role === 'asset_provider' ? { representativeId: caller.representativeId } : { operatorId: caller.operatorId };
}

/** Who owns the caller's idempotency keys: the asset provider, or the operator. */
export function idempotencyScopeOf(request: FastifyRequest): string {
  const caller = callerOf(request);
  return caller.role === 'asset_provider' ? caller.assetProviderId : `operator:${caller.operatorId}`;
}
