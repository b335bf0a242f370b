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

const iso = (at: Date | null) => at?.toISOString() ?? null;
const present = <T extends Pick<ConcentratorCollection, 'lastAttemptAt'>>(row: T) => ({
  ...row,
  lastAttemptAt: iso(row.lastAttemptAt),
});

/** Chain 1 daily collection status, for DSO operators: registered in a scope that refuses other roles (app.ts). */
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
}
