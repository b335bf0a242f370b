import type { FastifyTypeBox } from '../app.js';
import { principalOf } from '../auth.js';
import { presentRequest, presentRequestDetail } from '../presenters.js';
import { IdParam, pageOf, RequestListQuery } from '../schemas.js';
import type { RequestService } from '../../services/request.service.js';

const tags = ['requests'];

export function requestRoutes(app: FastifyTypeBox, requests: RequestService) {
  app.get('/requests', {
    schema: { summary: 'Own requests, newest first (the open-requests report)', tags, querystring: RequestListQuery, response: { 200: pageOf('Request') } },
  }, async (request) => {
    const page = await requests.list(principalOf(request), request.query);
    return { items: page.items.map(presentRequest), nextCursor: page.nextCursor };
  });

  app.get('/requests/:id', {
    schema: { summary: 'One own request with its history of transitions', tags, params: IdParam, response: { 200: { $ref: 'RequestDetail#' } } },
  }, async (request) => presentRequestDetail(await requests.get(principalOf(request), request.params.id)));
}
