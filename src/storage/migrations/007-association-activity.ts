import { sql, type Kysely } from 'kysely';

/**
 * When each association was active, on the meters' clock (domain/kpi.ts, AssociationActivity): from the meter
 * programmed to the meter cleared. The monitoring expects a supply point's report and meter count only for whole
 * days in between (isExpectedDay). Existing associations take the time their create and delete requests completed
 * (the platform's clock: the best there is), else their own timestamps.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE associations ADD COLUMN active_from timestamptz, ADD COLUMN active_until timestamptz;

    UPDATE associations a SET active_from = coalesce(
      (SELECT min(r.closed_at) FROM requests r WHERE r.association_id = a.association_id AND r.kind = 'create' AND r.status = 'completed'),
      a.created_at)
    WHERE a.status IN ('active', 'deleted');
    UPDATE associations a SET active_until = coalesce(
      (SELECT min(r.closed_at) FROM requests r WHERE r.association_id = a.association_id AND r.kind = 'delete' AND r.status = 'completed'),
      a.updated_at)
    WHERE a.status = 'deleted';

    -- Only an association that was active ends.
    ALTER TABLE associations ADD CONSTRAINT associations_activity CHECK (active_until IS NULL OR active_from IS NOT NULL);
  `.execute(db);
}
