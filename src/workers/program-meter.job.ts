import type { MeterProgrammingService } from '../services/meter-programming.js';
import { WORKFLOW_FAILURE, type JobKind } from './meter-job.js';

/** One job per request taken in charge: program (or clear) the meter through the head-end, record the outcome. */
export const PROGRAM_METER_QUEUE = 'program-meter';

export function programMeterJob(programming: MeterProgrammingService): JobKind {
  return {
    queue: PROGRAM_METER_QUEUE,
    runMany: (requestIds) => programming.program(requestIds),
    giveUp: (requestId) => programming.fail(requestId, WORKFLOW_FAILURE),
  };
}
