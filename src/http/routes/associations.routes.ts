import type { FastifyTypeBox } from '../app.js';
import { principalOf } from '../auth.js';
import { presentAssociation, presentRequest } from '../presenters.js';
import {
  AcceptedRequestBody,
  AssociationListQuery,
  CreateAssociationInput,
  CreatedAssociationBody,
  IdempotencyHeader,
  IdParam,
  ModifyAssociationInput,
  pageOf,
} from '../schemas.js';
import type { AssociationService } from '../../services/association.service.js';

const tags = ['associations'];

export function associationRoutes(app: FastifyTypeBox, associations: AssociationService) {
  app.post(
    '/associations',
    {
      schema: {
        summary: 'Ask for a POD–DU association',
        description:
          'Validated and checked for eligibility at once; the meter is programmed asynchronously by the request returned.',
        tags,
        headers: IdempotencyHeader,
        body: CreateAssociationInput,
        response: { 202: CreatedAssociationBody },
      },
    },
    async (request, reply) => {
      const { association, request: created } = await associations.create(principalOf(request), request.body);
      return reply.code(202).send({ association: presentAssociation(association), request: presentRequest(created) });
    },
  );

  app.get(
    '/associations',
    {
      schema: {
        summary: 'List own associations, newest first',
        tags,
        querystring: AssociationListQuery,
        response: { 200: pageOf('Association') },
      },
    },
    async (request) => {
      const page = await associations.list(principalOf(request), request.query);
      return { items: page.items.map(presentAssociation), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/associations/:id',
    {
      schema: { summary: 'One own association', tags, params: IdParam, response: { 200: { $ref: 'Association#' } } },
    },
    async (request) => presentAssociation(await associations.get(principalOf(request), request.params.id)),
  );

  app.patch(
    '/associations/:id',
    {
      schema: {
        summary: 'Modify the DU of an own association (any subset of its fields)',
        tags,
        params: IdParam,
        body: ModifyAssociationInput,
        response: { 202: AcceptedRequestBody },
      },
    },
    async (request, reply) => {
      const created = await associations.modify(principalOf(request), request.params.id, request.body);
      return reply.code(202).send({ request: presentRequest(created) });
    },
  );

  app.delete(
    '/associations/:id',
    {
      schema: {
        summary: 'Delete an own association (Chain 2 is cleared from the meter)',
        tags,
        params: IdParam,
        response: { 202: AcceptedRequestBody },
      },
    },
    async (request, reply) => {
      const created = await associations.remove(principalOf(request), request.params.id);
      return reply.code(202).send({ request: presentRequest(created) });
    },
  );
}
