import type { FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../domain/errors.js';
import type { AccessService } from '../services/access.service.js';
import type { Caller, Principal, TokenHolder } from '../domain/caller.js';
import { csrfMatches, type SessionService } from '../services/session.service.js';

/**
 * The portal's session cookie: HttpOnly (pages never read it), SameSite=Strict, the whole site; over https also
 * Secure, under the `__Host-` prefix (no other subdomain can set a cookie of that name).
 */
export function sessionCookie(secure: boolean) {
  return {
    name: secure ? '__Host-c2_session' : 'c2_session',
    options: { httpOnly: true, sameSite: 'strict' as const, path: '/', secure },
  };
}
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/**
 * `Authorization: Bearer <token>` (API clients), or the portal's session cookie → the representative (and asset
 * provider) or the DSO operator, or 401. A mutation made with the cookie must also carry the session's CSRF token
 * in `X-CSRF-Token` (a bearer token is never sent by a browser on its own, so it needs none).
 */
export function authenticate(access: AccessService, sessions: SessionService, cookieName: string) {
  return async (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (match) {
      const caller = await access.authenticate(match[1]);
      if (!caller) throw new DomainError(DomainErrorCode.unauthenticated, 'The API token is not valid or was revoked');
      request.caller = caller;
      return;
    }
    const sessionToken = request.cookies[cookieName];
    const session = sessionToken ? await sessions.resume(sessionToken) : undefined;
    if (!sessionToken || !session) {
      throw new DomainError(
        DomainErrorCode.unauthenticated,
        sessionToken
          ? 'Your session has ended: log in again'
          : 'Send an API token as Authorization: Bearer <token>, or log in to the portal',
      );
    }
    if (!SAFE_METHODS.has(request.method)) requireCsrf(request, sessionToken);
    request.caller = session.caller;
  };
}

/** A mutation made with the session cookie carries the session's CSRF token in X-CSRF-Token, or is refused. */
export function requireCsrf(request: FastifyRequest, sessionToken: string): void {
  if (!csrfMatches(sessionToken, headerOf(request, 'x-csrf-token'))) {
    throw new DomainError(DomainErrorCode.csrfFailed, 'Missing or wrong X-CSRF-Token: reload the page and try again');
  }
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Representatives of an asset provider that is not (or no longer) active are refused every online service. */
export async function refuseInactiveAssetProvider(request: FastifyRequest) {
  const caller = callerOf(request);
  if (caller.role === 'asset_provider' && caller.assetProviderStatus !== 'active') {
    throw new DomainError(
      DomainErrorCode.assetProviderNotActive,
      caller.assetProviderStatus === 'suspended'
        ? "Your asset provider's access to the online services is suspended: contact the DSO"
        : "Your asset provider's subscription is not complete yet: the online services open once the DSO activates it",
      { status: caller.assetProviderStatus },
    );
  }
}

const ROLE_REFUSALS: Record<Caller['role'], string> = {
  asset_provider: "This service is for asset providers' representatives",
  dso_operator: 'This is for DSO operators only',
  retailer: "This is for retailers' users only",
};

/** A hook for a scope of routes of one role: the other roles get 403 before any other work is done. */
export function requireRole(role: Caller['role']) {
  return async (request: FastifyRequest) => {
    if (callerOf(request).role !== role) throw new DomainError(DomainErrorCode.forbidden, ROLE_REFUSALS[role]);
  };
}

export function callerOf(request: FastifyRequest): Caller {
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
  if (caller.role === 'asset_provider') return { representativeId: caller.representativeId };
  return caller.role === 'dso_operator' ? { operatorId: caller.operatorId } : { retailerUserId: caller.retailerUserId };
}

/** Who owns the caller's idempotency keys: the asset provider, or the operator. */
export function idempotencyScopeOf(request: FastifyRequest): string {
  const caller = callerOf(request);
  if (caller.role === 'asset_provider') return caller.assetProviderId;
  return caller.role === 'dso_operator' ? `operator:${caller.operatorId}` : `retailer:${caller.retailerId}`;
}
