import { Type } from 'typebox';
import { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { FastifyTypeBox } from '../app.js';
import { principalOf } from '../auth.js';
import { presentBulkReportRow, presentBulkUpload } from '../presenters.js';
import { IdParam, oneOf, pageOf } from '../schemas.js';
import { BulkRowOutcome } from '../../domain/bulk-upload.js';
import { IneligibilityReason } from '../../domain/eligibility.js';
import { RequestStatus } from '../../domain/request.js';
import { bulkReportCsv } from '../bulk-report.csv.js';
import { echo, echoIssue } from '../echo.js';
import { readFormFile } from '../form-file.js';
import type { BulkReportRow } from '../../domain/bulk-upload.js';
import type { BulkUploadService } from '../../services/bulk-upload.service.js';

const tags = ['bulk uploads'];
const Counts = Type.Object({
  total: Type.Integer(),
  invalid: Type.Integer(),
  notEligible: Type.Integer(),
  queued: Type.Integer(),
  takenInCharge: Type.Integer(),
  completed: Type.Integer(),
  rejected: Type.Integer(),
  failed: Type.Integer(),
});
const Summary = {
  id: Type.String({ format: 'uuid' }),
  fileName: Type.Union([Type.String(), Type.Null()]),
  rows: Type.Integer({ description: 'Data rows in the file (the header excluded)' }),
  status: Type.Union([Type.Literal('processing'), Type.Literal('completed')]),
  counts: Counts,
  createdAt: Type.String({ format: 'date-time' }),
};
const ReportRow = Type.Object({
  line: Type.Integer({ description: 'Line number in the file (the header is line 1)' }),
  pod: Type.String(),
  eligibility: Type.Union([
    Type.Object({ eligible: Type.Boolean(), reasons: Type.Array(oneOf(IneligibilityReason)) }),
    Type.Null(),
  ]),
  status: oneOf([...Object.values(BulkRowOutcome), ...Object.values(RequestStatus)], {
    description: "invalid | not_eligible | the status of the row's request",
  }),
  reason: Type.Union([Type.String(), Type.Null()]),
  issues: Type.Array(Type.Ref('FieldIssue')),
  requestId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});

export function bulkUploadRoutes(app: FastifyTypeBox, bulkUploads: BulkUploadService, maxBytes: number) {
  app.addContentTypeParser(
    ['text/csv', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: maxBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/bulk-uploads',
    {
      bodyLimit: maxBytes,
      schema: {
        summary: 'Upload associations in bulk from a CSV (POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW)',
        description:
          'Send the file as the body with Content-Type text/csv, or as the field `file` of a multipart/form-data form. Every row is validated and checked for eligibility at once; ' +
          'valid eligible rows become create requests, at most 100 taken in charge per 24 h (the rest wait as quota_deferred).',
        tags,
        querystring: Type.Object({ fileName: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 202: Type.Object(Summary) },
      },
    },
    async (request, reply) => {
      let [body, fileName] = [request.body, request.query.fileName ?? null];
      if (request.isMultipart()) {
        const file = await readFormFile(request);
        [body, fileName] = [file.bytes, fileName ?? file.fileName];
      }
      if (!Buffer.isBuffer(body))
        throw new DomainError(
          DomainErrorCode.invalidFile,
          'Send the CSV file as the body with Content-Type: text/csv, or as the form field "file"',
        );
      const upload = await bulkUploads.upload(principalOf(request), body, fileName);
      return reply.code(202).send(presentBulkUpload(upload));
    },
  );

  app.get(
    '/bulk-uploads',
    {
      schema: {
        summary: 'Own bulk uploads, newest first',
        tags,
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
        response: { 200: pageOf(Type.Object(Summary)) },
      },
    },
    async (request) => {
      const page = await bulkUploads.list(principalOf(request), request.query);
      return { items: page.items.map(presentBulkUpload), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/bulk-uploads/:id',
    {
      schema: {
        summary: 'One bulk upload with its per-row report (rows: one entry per data row; counts.total is their number)',
        tags,
        params: IdParam,
        response: { 200: Type.Object({ ...Summary, rows: Type.Array(ReportRow) }) },
      },
    },
    async (request) => {
      const upload = await bulkUploads.get(principalOf(request), request.params.id);
      return { ...presentBulkUpload(upload), rows: upload.rows.map((row) => presentBulkReportRow(echoRow(row))) };
    },
  );

  app.get(
    '/bulk-uploads/:id/report.csv',
    {
      schema: { summary: 'The per-row report as a spreadsheet CSV (`;`, Italian headers)', tags, params: IdParam },
    },
    async (request, reply) => {
      const upload = await bulkUploads.get(principalOf(request), request.params.id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="esito-caricamento-${upload.bulkUploadId}.csv"`)
        .send(bulkReportCsv(upload.rows.map(echoRow)));
    },
  );
}

/** A row's POD is the file's own text when it is not a valid POD: repeated at most ECHO_VALUE_CHARS of it. */
function echoRow(row: BulkReportRow): BulkReportRow {
  return { ...row, pod: echo(row.pod), issues: row.issues.map(echoIssue) };
}
