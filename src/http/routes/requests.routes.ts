import { Type } from 'typebox';
import type { FastifyTypeBox } from '../app.js';
import { principalOf } from '../auth.js';
import { romeDateTime, spreadsheetCsv } from '../bulk-report.csv.js';
import { presentRequest, presentRequestDetail } from '../presenters.js';
import { IdParam, MacAddressBody, pageOf, RequestFields, RequestHistory, RequestListQuery } from '../schemas.js';
import type { RequestService } from '../../services/request.service.js';
import { AssociationStatus } from '../../domain/association.js';
import { RequestStatus, type ServiceRequest } from '../../domain/request.js';

const tags = ['requests'];
const Quota = Type.Object({
  used: Type.Integer({ description: 'Bulk associations taken in charge in the last windowHours' }),
  limit: Type.Integer(),
  windowHours: Type.Integer(),
});
/** How many of each status of a closed set (every status present, 0 included). */
const counts = (statuses: Record<string, string>) =>
  Type.Object(Object.fromEntries(Object.values(statuses).map((s) => [s, Type.Integer()])));
/** The report's export: every matching request, in pages of this size, up to this many rows. */
const CSV_PAGE = 200;
const CSV_MAX_ROWS = 100_000;

export function requestRoutes(app: FastifyTypeBox, requests: RequestService) {
  app.get(
    '/requests',
    {
      schema: {
        summary: 'Own requests, newest first (the open-requests report)',
        tags,
        querystring: RequestListQuery,
        response: { 200: pageOf('Request') },
      },
    },
    async (request) => {
      const page = await requests.list(principalOf(request), request.query);
      return { items: page.items.map(presentRequest), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/requests.csv',
    {
      schema: {
        summary:
          'The requests report as a spreadsheet CSV (`;`, Italian headers, Rome times); same filters as GET /requests',
        tags,
        querystring: Type.Omit(RequestListQuery, ['cursor', 'limit']),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const rows: ServiceRequest[] = [];
      let cursor: string | undefined;
      do {
        const page = await requests.list(principal, { ...request.query, cursor, limit: CSV_PAGE });
        rows.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && rows.length < CSV_MAX_ROWS);
      const csv = spreadsheetCsv(
        ['ID_richiesta', 'Tipo', 'POD', 'Stato', 'Motivo', 'Creata', 'Aggiornata', 'Chiusa'],
        rows.map((r) => [
          r.requestId,
          r.kind,
          r.pod,
          r.status,
          r.reason ?? '',
          romeDateTime(r.createdAt),
          romeDateTime(r.updatedAt),
          romeDateTime(r.closedAt),
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="richieste.csv"')
        .send(csv);
    },
  );

  app.get(
    '/requests/:id',
    {
      schema: {
        summary: 'One own request with its history of transitions',
        tags,
        params: IdParam,
        response: { 200: { $ref: 'RequestDetail#' } },
      },
    },
    async (request) => presentRequestDetail(await requests.get(principalOf(request), request.params.id)),
  );

  app.get(
    '/summary',
    {
      schema: {
        summary: 'The dashboard: own associations and requests by status, and the bulk quota',
        tags,
        response: {
          200: Type.Object({
            associations: counts(AssociationStatus),
            requests: counts(RequestStatus),
            bulkQuota: Quota,
          }),
        },
      },
    },
    async (request) => requests.summary(principalOf(request)),
  );

  app.get(
    '/bulk-uploads/quota',
    {
      schema: {
        summary: 'Bulk quota: associations taken in charge in the last 24 h, out of the limit',
        tags: ['bulk uploads'],
        response: { 200: Quota },
      },
    },
    async (request) => requests.quota(principalOf(request)),
  );
}

/** Requests across every asset provider, for the DSO's operators and customer care (operators' scope, app.ts). */
export function dsoRequestRoutes(app: FastifyTypeBox, requests: RequestService) {
  const foundFields = {
    ...RequestFields,
    assetProvider: Type.Object({ id: Type.String(), name: Type.String() }),
    macAddress: MacAddressBody,
  };
  app.get(
    '/dso/requests',
    {
      schema: {
        summary:
          'Every request across asset providers, newest first; search by POD, DU MAC or asset provider (DSO operators)',
        tags,
        querystring: Type.Object(
          {
            ...RequestListQuery.properties,
            mac: Type.Optional(Type.String({ maxLength: 64, description: "The DU's MAC address" })),
            assetProviderId: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Type.Object(foundFields)) },
      },
    },
    async (request) => {
      const page = await requests.search(request.query);
      return { items: page.items.map(presentFound), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/dso/requests/:id',
    {
      schema: {
        summary: 'One request with its history, whoever it belongs to (DSO operators)',
        tags,
        params: IdParam,
        response: { 200: Type.Object({ ...foundFields, history: RequestHistory }) },
      },
    },
    async (request) => {
      const found = await requests.find(request.params.id);
      return { ...presentRequestDetail(found), ...presentFound(found) };
    },
  );
}

function presentFound(r: Parameters<typeof presentRequest>[0] & { assetProviderName: string; macAddress: string }) {
  return {
    ...presentRequest(r),
    assetProvider: { id: r.assetProviderId, name: r.assetProviderName },
    macAddress: r.macAddress,
  };
}
