import { Type } from 'typebox';
import type { SessionService, SessionView } from '../../services/session.service.js';
import type { FastifyTypeBox } from '../app.js';
import { requireCsrf, type sessionCookie } from '../auth.js';
import { DomainError, DomainErrorCode } from '../../domain/errors.js';
import { Role } from '../../domain/caller.js';
import { AssetProviderStatusSchema, oneOf } from '../schemas.js';

const tags = ['portal sessions'];
const SessionBody = Type.Object({
  user: Type.Object({
    role: oneOf(Role),
    email: Type.String(),
    fullName: Type.String(),
    assetProvider: Type.Union([
      Type.Object({ id: Type.String(), name: Type.String(), status: AssetProviderStatusSchema }),
      Type.Null(),
    ]),
    retailer: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  }),
  csrfToken: Type.String({
    description: 'Send as X-CSRF-Token on every POST, PATCH and DELETE made with the session cookie',
  }),
  expiresAt: Type.String({
    format: 'date-time',
    description: 'When the session ends at the latest (it also ends after 30 minutes unused)',
  }),
});

const present = (view: SessionView) => ({ ...view, expiresAt: view.expiresAt.toISOString() });

/**
 * The portal's login: email and password → an HttpOnly session cookie (never readable by the page) and a CSRF
 * token (in the body, for the X-CSRF-Token header). API clients use bearer tokens instead and need none of this.
 */
export function sessionRoutes(app: FastifyTypeBox, sessions: SessionService, cookie: ReturnType<typeof sessionCookie>) {
  app.post(
    '/session',
    {
      schema: {
        summary: 'Log in to the portal',
        tags,
        security: [],
        body: Type.Object(
          { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: SessionBody },
      },
    },
    async (request, reply) => {
      const { sessionToken, ...view } = await sessions.login(request.body.email, request.body.password, request.ip);
      // A session left in this browser (another user's, on a shared computer) ends here.
      const previous = request.cookies[cookie.name];
      if (previous) await sessions.logout(previous);
      reply.setCookie(cookie.name, sessionToken, cookie.options);
      return reply.send(present(view));
    },
  );

  app.get(
    '/session',
    {
      schema: {
        summary: 'The logged-in user and a CSRF token (401 when the session ended)',
        tags,
        security: [],
        response: { 200: SessionBody },
      },
    },
    async (request, reply) => {
      const sessionToken = request.cookies[cookie.name];
      const session = await sessions.resume(sessionToken);
      if (!sessionToken || !session)
        throw new DomainError(DomainErrorCode.unauthenticated, 'Not logged in, or the session has ended');
      return reply.send(present(await sessions.describe(sessionToken, session)));
    },
  );

  app.delete(
    '/session',
    {
      schema: { summary: 'Log out (needs X-CSRF-Token)', tags, security: [], response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const sessionToken = request.cookies[cookie.name];
      if (sessionToken && (await sessions.resume(sessionToken))) {
        requireCsrf(request, sessionToken);
        await sessions.logout(sessionToken);
      }
      return reply.clearCookie(cookie.name, cookie.options).code(204).send(null);
    },
  );

  app.post(
    '/activation',
    {
      schema: {
        summary: 'Set the password of a new login from its one-time activation link',
        tags,
        security: [],
        body: Type.Object(
          { token: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await sessions.activate(request.body.token, request.body.password);
      return reply.code(204).send(null);
    },
  );
}
