/** The job of a telemanagement queue: the id of the request or operation it carries out. */
export interface MeterJob {
  id: string;
}

/** What a queue's jobs do, and how their subject is closed when a job runs out of attempts. */
export interface JobKind {
  queue: string;
  /** Carries out a batch of jobs; returns the failures by id (the others succeeded). May throw for the whole batch. */
  runMany(ids: string[]): Promise<Map<string, unknown>>;
  giveUp(id: string): Promise<void>;
}

/** Why a request or operation failed when its job ran out of attempts. */
export const WORKFLOW_FAILURE = 'workflow_error';

/** Runs each id alone (concurrently); returns the failures by id. */
export async function eachAlone(ids: string[], run: (id: string) => Promise<void>): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        await run(id);
      } catch (error) {
        failures.set(id, error);
      }
    }),
  );
  return failures;
}
