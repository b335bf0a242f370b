import { Type } from 'typebox';
import type { CollectionStatusReader, ConcentratorCollection } from '../../services/ports/index.js';
import type { FastifyTypeBox } from '../app.js';

const tags = ['operations'];
const counts = {
  meters: Type.Integer({ description: "Meters expected to deliver the day: the registry's supply points on it" }),
  collected: Type.Integer({ description: 'Day files stored, on time or late' }),
  late: Type.Integer({
    description: "Of collected, those that came on a later day's run (the meter did not answer at first)",
  }),
  missing: Type.Integer({ description: 'Day files not come (yet, or ever: past COLLECTION_MAX_DAYS_LATE)' }),
  lastAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: "Last read of the day, on the meters' clock; null: never yet",
  }),
  linkSeconds: Type.Number({ description: "Simulated seconds of power-line link time the day's reads took, summed" }),
};
const CollectionStatusBody = Type.Object({
  day: Type.String({ format: 'date' }),
  concentrators: Type.Array(Type.Object({ concentratorId: Type.String(), ...counts }), {
    description: 'Worst first: most missing, then most late, then by concentrator id',
  }),
  totals: Type.Object({ concentrators: Type.Integer(), ...counts }),
});

const Series = (what: string) => Type.Array(Type.Integer(), { description: `${what}, one value per quarter-hour` });
const Freeze = Type.Object({
  at: Type.String({ format: 'date-time' }),
  importWh: Type.Integer(),
  exportWh: Type.Integer(),
  importByBandWh: Type.Array(Type.Integer(), { description: 'F1, F2, F3' }),
  exportByBandWh: Type.Array(Type.Integer(), { description: 'F1, F2, F3' }),
});
const DayFileBody = Type.Object(
  {
    pod: Type.String(),
    meterSerial: Type.String(),
    concentratorId: Type.String(),
    day: Type.String({ format: 'date' }),
    intervals: Type.Integer({ description: '96, or 92 / 100 on the days the clocks change' }),
    channels: Type.Object({
      activeImportWh: Series('A+ Wh'),
      activeExportWh: Series('A− Wh'),
      reactiveInductiveVarh: Series('R+ varh'),
      reactiveCapacitiveVarh: Series('R− varh'),
    }),
    status: Type.Array(Type.Integer(), { description: "The meter's status bits per interval (docs/day-file.md)" }),
    registersAtStart: Freeze,
    registersAtEnd: Freeze,
    events: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        code: Type.String(),
        value: Type.Optional(Type.Number()),
      }),
    ),
    chain2FramesSent: Type.Object({
      total: Type.Integer(),
      byType: Type.Record(Type.String(), Type.Integer()),
    }),
  },
  { description: 'A meter day as the daily read brought it back, never changed (docs/day-file.md)' },
);

const iso = (at: Date | null) => at?.toISOString() ?? null;
const present = <T extends Pick<ConcentratorCollection, 'lastAttemptAt'>>(row: T) => ({
  ...row,
  lastAttemptAt: iso(row.lastAttemptAt),
});

/** Chain 1 daily collection, for DSO operators (its status, the day files as collected): registered in a scope that refuses other roles (app.ts). */
export function collectionRoutes(app: FastifyTypeBox, collection: CollectionStatusReader) {
  app.get(
    '/telemanagement/collection',
    {
      schema: {
        summary: "A day's Chain 1 collection per concentrator, worst first, with totals (DSO operators)",
        tags,
        querystring: Type.Object({ day: Type.String({ description: 'YYYY-MM-DD (Europe/Rome)', maxLength: 32 }) }),
        response: { 200: CollectionStatusBody },
      },
    },
    async (request) => {
      const status = await collection.status(request.query.day);
      return { day: status.day, concentrators: status.concentrators.map(present), totals: present(status.totals) };
    },
  );
  app.get(
    '/telemanagement/day-files/:pod/:day',
    {
      schema: {
        summary: "A meter's day file as collected: curves, status bits, register freezes, events (DSO operators)",
        tags,
        params: Type.Object({
          pod: Type.String({ maxLength: 32 }),
          day: Type.String({ description: 'YYYY-MM-DD (Europe/Rome)', maxLength: 32 }),
        }),
        response: { 200: DayFileBody },
      },
    },
    async (request) => collection.dayFile(request.params.pod, request.params.day),
  );
}
