import type { FastifyTypeBox } from '../app.js';
import { operatorOf } from '../auth.js';
import { presentOperation } from '../presenters.js';
import { Type } from 'typebox';
import { CreateOperationInput, IdempotencyHeader, IdParam, OperationListQuery, pageOf } from '../schemas.js';
import type { OperationService } from '../../services/operation.service.js';

const tags = ['operations'];
const FieldNetworkStatusBody = Type.Object({
  concentrators: Type.Integer(),
  meters: Type.Integer({ description: 'Meters the head-end has addressed so far' }),
  queuedCommands: Type.Integer({ description: 'Commands waiting or in progress on every concentrator' }),
  busiest: Type.Array(
    Type.Object({ concentratorId: Type.String(), meters: Type.Integer(), queueDepth: Type.Integer() }),
  ),
  commands: Type.Object(
    {
      sent: Type.Integer(),
      attempts: Type.Integer(),
      retried: Type.Integer(),
      done: Type.Integer(),
      failed: Type.Integer(),
      failedByReason: Type.Record(Type.String(), Type.Integer()),
    },
    { description: 'Totals since the field network started' },
  ),
});

/** Remote operations on meters, for DSO operators: registered in a scope that refuses other roles (app.ts). */
export function operationRoutes(app: FastifyTypeBox, operations: OperationService) {
  app.post(
    '/operations',
    {
      schema: {
        summary: 'Run a remote operation on a meter (DSO operators)',
        description:
          'connect, disconnect, set_available_power (availablePowerW), set_tariff_calendar (calendar) or read_registers. ' +
          "Validated at once; carried out over Chain 1 through the meter's concentrator. Follow it with GET /operations/{id}.",
        tags,
        headers: IdempotencyHeader,
        body: CreateOperationInput,
        response: { 202: { $ref: 'Operation#' } },
      },
    },
    async (request, reply) =>
      reply.code(202).send(presentOperation(await operations.submit(operatorOf(request), request.body))),
  );

  app.get(
    '/operations',
    {
      schema: {
        summary: 'Every remote operation, newest first (DSO operators)',
        tags,
        querystring: OperationListQuery,
        response: { 200: pageOf('Operation') },
      },
    },
    async (request) => {
      const page = await operations.list(request.query);
      return { items: page.items.map(presentOperation), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/operations/:id/retry',
    {
      schema: {
        summary: 'Run a failed remote operation again, as a new operation (DSO operators)',
        tags,
        params: IdParam,
        response: { 202: { $ref: 'Operation#' } },
      },
    },
    async (request, reply) =>
      reply.code(202).send(presentOperation(await operations.retry(operatorOf(request), request.params.id))),
  );

  app.get(
    '/telemanagement/status',
    {
      schema: {
        summary:
          'The field network as the head-end sees it: totals, busiest concentrators, command counters (DSO operators)',
        tags,
        response: { 200: FieldNetworkStatusBody },
      },
    },
    async () => operations.fieldNetworkStatus(),
  );

  app.get(
    '/operations/:id',
    {
      schema: {
        summary: 'One remote operation with its outcome (DSO operators)',
        tags,
        params: IdParam,
        response: { 200: { $ref: 'Operation#' } },
      },
    },
    async (request) => presentOperation(await operations.get(request.params.id)),
  );
}
