import { Type } from 'typebox';
import type { TokenRecord } from '../../services/ports/index.js';
import type { AccessService } from '../../services/access.service.js';
import type { FastifyTypeBox } from '../app.js';
import { tokenHolderOf } from '../auth.js';
import { IdParam } from '../schemas.js';

const tags = ['tokens'];
const TokenFields = {
  id: Type.String({ format: 'uuid' }),
  label: Type.String({ description: 'What the token is for, e.g. "billing system"' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};

function presentToken(t: TokenRecord) {
  return {
    id: t.tokenId,
    label: t.label,
    createdAt: t.createdAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** Personal API tokens of the caller (a representative or an operator): list, create, revoke. */
export function tokenRoutes(app: FastifyTypeBox, access: AccessService) {
  app.get(
    '/tokens',
    {
      schema: {
        summary: 'Own API tokens, newest first (never the tokens themselves)',
        tags,
        response: { 200: Type.Object({ items: Type.Array(Type.Object(TokenFields)) }) },
      },
    },
    async (request) => ({ items: (await access.listTokens(tokenHolderOf(request))).map(presentToken) }),
  );

  app.post(
    '/tokens',
    {
      config: { secretResponse: true },
      schema: {
        summary: 'Create a personal API token',
        tags,
        description:
          'The token is in this answer only: it is stored hashed and cannot be shown again. At most 20 valid at once.',
        body: Type.Object({ label: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            ...TokenFields,
            token: Type.String({ description: 'Send as Authorization: Bearer <token>' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const created = await access.createToken(tokenHolderOf(request), request.body.label);
      return reply.code(201).send({ ...presentToken(created), token: created.token });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        summary: 'Revoke one of your own tokens (at once here, within 5 s everywhere)',
        tags,
        params: IdParam,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await access.revokeToken(tokenHolderOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
