import { Type } from 'typebox';
import { DomainError, DomainErrorCode } from '../../domain/errors.js';
import { KPI_GROUPINGS, KpiFlag, KpiParticipantKind, KpiVersion, performanceOf } from '../../domain/kpi.js';
import { participantOf, type KpiService, type Refusal } from '../../services/kpi.service.js';
import type { KpiGroupRow, KpiPodDay } from '../../services/ports/index.js';
import type { FastifyTypeBox } from '../app.js';
import { callerOf } from '../auth.js';
import { spreadsheetCsv } from '../bulk-report.csv.js';
import { echo, echoIssue } from '../echo.js';
import { readFormFile } from '../form-file.js';
import { oneOf } from '../schemas.js';

const tags = ['monitoring'];
const day = (description: string) => Type.String({ maxLength: 10, description: `${description} (YYYY-MM-DD)` });
/** The computations of a day by name (the domain's KpiVersion: provisional 1, final 2). */
const COMPUTED_VERSIONS = Object.keys(KpiVersion) as (keyof typeof KpiVersion)[];
const VersionName = oneOf(['latest', ...COMPUTED_VERSIONS], {
  description:
    'provisional: computed at the cut-off (the next morning); final: a day later; latest (default): final where there is one',
});
const Period = {
  from: Type.Optional(day('First day; default 30 days before `to`')),
  to: Type.Optional(day('Last day; default yesterday')),
  version: Type.Optional(VersionName),
};
const Grouping = oneOf(KPI_GROUPINGS);
const Outcome = Type.Object({
  accepted: Type.Integer(),
  refused: Type.Array(
    Type.Object({
      index: Type.Optional(Type.Integer()),
      line: Type.Optional(Type.Integer()),
      pod: Type.String(),
      issues: Type.Array(Type.Ref('FieldIssue')),
    }),
  ),
});
const FlagCounts = Type.Object(Object.fromEntries(Object.values(KpiFlag).map((flag) => [flag, Type.Integer()])));
const nullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const ReportVersion = Type.Object({
  participant: Type.Object({ kind: oneOf(KpiParticipantKind), id: Type.String() }),
  pod: Type.String(),
  day: Type.String({ description: 'YYYY-MM-DD' }),
  version: Type.Integer({
    description: "1 for the participant's first report of the POD and day; each correction adds one",
  }),
  received: Type.Integer(),
  receivedByType: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()]),
  reportedAt: Type.String({ format: 'date-time' }),
  supersededAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const PodDay = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD' }),
  version: oneOf(COMPUTED_VERSIONS),
  pod: Type.String(),
  assetProviderId: Type.Union([Type.String(), Type.Null()]),
  retailerId: Type.Union([Type.String(), Type.Null()]),
  sent: nullableInteger,
  received: nullableInteger,
  performance: Type.Union([Type.Number(), Type.Null()], {
    description: 'received ÷ sent; null when either count is missing or nothing was sent',
  }),
  flags: Type.Array(oneOf(KpiFlag)),
});
const PodDays = Type.Object({ items: Type.Array(PodDay) });

/** The monitoring platform: KPI reports in, performance out, for asset providers, retailers and the DSO alike (each its own view). */
export function kpiRoutes(app: FastifyTypeBox, kpi: KpiService, maxBytes: number) {
  app.addContentTypeParser(['text/csv'], { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/kpi/reports',
    {
      bodyLimit: maxBytes,
      schema: {
        summary: 'Report frames received by DUs per supply point and day (asset providers and retailers)',
        tags,
        description:
          'JSON {"reports":[{"pod","day","received","receivedByType"?}…]} (day: of the frames\' own meter timestamps, Europe/Rome, ' +
          'YYYY-MM-DD or dd/mm/yyyy; receivedByType: optional counts per frame type, e.g. {"CF1": 95, "CF5": 1}), or a `;`-separated CSV (text/csv, or the form field "file"): POD;GIORNO;RICEVUTI, optionally followed by ' +
          "one column per frame type (CF1;CF5;…). A report supersedes the participant's earlier one for the same POD and day (kept in the history). " +
          'Each row is accepted or refused with reasons; the accepted ones are stored together.',
        response: { 200: Outcome },
      },
    },
    async (request) => {
      const participant = participantOf(callerOf(request));
      if (request.isMultipart())
        return presentOutcome(await kpi.submitCsv(participant, (await readFormFile(request)).bytes));
      if (Buffer.isBuffer(request.body)) return presentOutcome(await kpi.submitCsv(participant, request.body));
      const body = request.body as { reports?: unknown };
      if (!body || typeof body !== 'object' || !Array.isArray(body.reports)) {
        throw new DomainError(
          DomainErrorCode.invalidInput,
          'Send {"reports": [{"pod","day","received"}…]} or a CSV file',
          [{ field: 'reports', code: 'required', message: 'reports must be an array' }],
        );
      }
      if (body.reports.length > 100_000)
        throw new DomainError(DomainErrorCode.fileTooLarge, 'At most 100,000 reports per call: send a CSV for more');
      return presentOutcome(
        await kpi.submit(
          participant,
          body.reports.map((fields: unknown, index: number) => ({
            position: { index },
            fields: (fields ?? {}) as Record<string, unknown>,
          })),
        ),
      );
    },
  );

  app.get(
    '/kpi/reports',
    {
      schema: {
        summary: "Every version of a report (yours; every participant's for the DSO), newest first",
        tags,
        querystring: Type.Object(
          { pod: Type.String({ maxLength: 64 }), day: day('Day') },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ReportVersion) }) },
      },
    },
    async (request) => ({
      items: (await kpi.reportHistory(callerOf(request), request.query.pod, request.query.day)).map((r) => ({
        participant: r.participant,
        pod: r.pod,
        day: r.day,
        version: r.version,
        received: r.received,
        receivedByType: r.receivedByType,
        reportedAt: r.reportedAt.toISOString(),
        supersededAt: r.supersededAt?.toISOString() ?? null,
      })),
    }),
  );

  app.get(
    '/kpi/performance',
    {
      schema: {
        summary:
          'Performance (received ÷ sent) grouped by day, asset provider, retailer or supply point, with flag counts',
        tags,
        querystring: Type.Object(
          {
            ...Period,
            groupBy: Type.Optional(Grouping),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            version: VersionName,
            groupBy: Grouping,
            target: Type.Number({ description: 'Performance below it is flagged below_target (0–1)' }),
            cutoffHour: Type.Integer({
              description:
                'Hour (Europe/Rome) of the next day at which a day is first computed (provisional); final 24 h later',
            }),
            rows: Type.Array(
              Type.Object({
                key: Type.String(),
                label: Type.String(),
                pods: Type.Integer({
                  description:
                    'Supply points: on one day, how many; over several days, the most on any one day (1 by supply point)',
                }),
                podDays: Type.Integer({
                  description: 'Supply-point days: every day of every supply point of the group',
                }),
                sent: Type.Integer(),
                received: Type.Integer(),
                performance: Type.Union([Type.Number(), Type.Null()]),
                flags: FlagCounts,
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { scope: _, ...result } = await kpi.performance(callerOf(request), request.query);
      return { ...result, version: versionName(result.version) };
    },
  );

  app.get(
    '/kpi/performance.csv',
    {
      schema: {
        summary: 'The same as a spreadsheet CSV (`;`, `,` decimals, Italian headers)',
        tags,
        querystring: Type.Object({ ...Period, groupBy: Type.Optional(Grouping) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const result = await kpi.performance(callerOf(request), { ...request.query, limit: 10_000 });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="prestazioni-${result.from}-${result.to}.csv"`)
        .send(performanceCsv(result.rows));
    },
  );

  app.get(
    '/kpi/distribution',
    {
      schema: {
        summary: 'How many supply-point days fall in each performance band (0–10 %, …, 90 %–target, target–100 %)',
        tags,
        description:
          'Tenths up to the target (`target` of GET /kpi/performance, KPI_TARGET), then the target and above. The bands are in order ' +
          'and the last one is at or above the target. Supply-point days without a performance (a count missing, nothing sent, more ' +
          'received than sent) are in no band.',
        querystring: Type.Object(Period, { additionalProperties: false }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            version: VersionName,
            buckets: Type.Array(
              Type.Object({
                bucket: Type.String({
                  description:
                    "The band's edges in percent, from (included) to (excluded; the last band: 100 included). " +
                    'With the default target of 99 %: 0-10, 10-20, …, 80-90, 90-99, 99-100; with 95 %: …, 90-95, 95-100; with 99.5 %: …, 90-99.5, ' +
                    '99.5-100; with 85 %: …, 70-80, 80-85, 85-100 (the tenths at or above the target left out).',
                }),
                podDays: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const result = await kpi.distribution(callerOf(request), request.query);
      return { from: result.from, to: result.to, version: versionName(result.version), buckets: result.buckets };
    },
  );

  app.get(
    '/kpi/pods',
    {
      schema: {
        summary: 'The worst supply-point days first (those without both counts last)',
        tags,
        querystring: Type.Object(
          { ...Period, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
          { additionalProperties: false },
        ),
        response: { 200: PodDays },
      },
    },
    async (request) => ({ items: (await kpi.podDays(callerOf(request), request.query)).map(presentPodDay) }),
  );

  app.get(
    '/kpi/pods/:pod',
    {
      schema: {
        summary: 'One supply point day by day, both versions of each day (drill-down)',
        tags,
        params: Type.Object({ pod: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ from: Period.from, to: Period.to }, { additionalProperties: false }),
        response: { 200: PodDays },
      },
    },
    async (request) => ({
      items: (await kpi.podDays(callerOf(request), { ...request.query, pod: request.params.pod, limit: 1000 })).map(
        presentPodDay,
      ),
    }),
  );
}

/** A refused report's POD is the caller's own text when it is not a valid POD: repeated at most ECHO_VALUE_CHARS of it. */
function presentOutcome(outcome: { accepted: number; refused: readonly Refusal[] }) {
  return {
    accepted: outcome.accepted,
    refused: outcome.refused.map((r) => ({ ...r, pod: echo(r.pod), issues: r.issues.map(echoIssue) })),
  };
}

function versionName(version: KpiVersion): keyof typeof KpiVersion;
function versionName(version: 'latest' | KpiVersion): 'latest' | keyof typeof KpiVersion;
function versionName(version: 'latest' | KpiVersion): 'latest' | keyof typeof KpiVersion {
  return version === 'latest' ? 'latest' : version === 1 ? 'provisional' : 'final';
}

function presentPodDay(d: KpiPodDay) {
  return { ...d, version: versionName(d.version), performance: performanceOf(d.sent, d.received) };
}

const italianNumber = (n: number | null, digits = 4) => (n === null ? '' : n.toFixed(digits).replace('.', ','));

function performanceCsv(rows: readonly KpiGroupRow[]): string {
  return spreadsheetCsv(
    [
      'Chiave',
      'Nome',
      'POD',
      'Giorni_POD',
      'Inviati',
      'Ricevuti',
      'Prestazione',
      'Senza_report',
      'Senza_conteggio_contatore',
      'Incoerenti',
      'Sotto_obiettivo',
    ],
    rows.map((r) => [
      r.key,
      r.label,
      String(r.pods),
      String(r.podDays),
      String(r.sent),
      String(r.received),
      italianNumber(r.performance),
      String(r.flags.missing_report),
      String(r.flags.missing_meter_count),
      String(r.flags.inconsistent),
      String(r.flags.below_target),
    ]),
  );
}
