import { MeterEventCode, type ConcentratorDayRead, type MeterDayFile } from '../../src/domain/day-file.js';
import type { Pod } from '../../src/domain/identifiers.js';
import type { DailyReadRequest, HeadEnd } from '../../src/services/ports/index.js';

/** A meter's day file of 96 quarter-hours, each channel a constant, having sent `framesSent` Chain 2 frames. */
export function makeDayFile(pod: Pod, concentratorId: string, day: string, framesSent = 0): MeterDayFile {
  const flat = (value: number) => Array.from({ length: 96 }, () => value);
  const freeze = {
    at: `${day}T00:00:00+01:00`,
    importWh: 1000,
    exportWh: 0,
    importByBandWh: [400, 300, 300] as [number, number, number],
    exportByBandWh: [0, 0, 0] as [number, number, number],
  };
  return {
    pod,
    meterSerial: `SN-${pod}`,
    concentratorId,
    day,
    intervals: 96,
    channels: {
      activeImportWh: flat(50),
      activeExportWh: flat(0),
      reactiveInductiveVarh: flat(5),
      reactiveCapacitiveVarh: flat(1),
    },
    status: flat(0),
    registersAtStart: freeze,
    registersAtEnd: { ...freeze, importWh: 5800 },
    events: [{ at: `${day}T10:00:00+01:00`, code: MeterEventCode.powerFailureStart }],
    chain2FramesSent: { total: framesSent, byType: framesSent ? { CF1: framesSent } : {} },
  };
}

/**
 * A stand-in head-end for unit tests of collection: its daily read answers the day file of every POD asked but those
 * `silent` names (missing, no_answer), with `framesOf(pod)` frames sent; it counts the reads and can be held.
 */
export function fakeHeadEnd(options: { framesOf?: (pod: Pod) => number } = {}) {
  const silent = new Set<string>();
  const reads: DailyReadRequest[] = [];
  let hold: Promise<void> | undefined;
  const headEnd: HeadEnd = {
    send: () => Promise.reject(new Error('no commands in these tests')),
    async dailyRead(request): Promise<ConcentratorDayRead> {
      reads.push(request);
      await hold;
      const answering = request.pods.filter((pod) => !silent.has(pod));
      return {
        concentratorId: request.concentratorId,
        day: request.day,
        files: answering.map((pod) =>
          makeDayFile(pod, request.concentratorId, request.day, options.framesOf?.(pod) ?? 0),
        ),
        missing: request.pods.filter((pod) => silent.has(pod)).map((pod) => ({ pod, reason: 'no_answer' as const })),
        linkSeconds: 2.5 * request.pods.length,
      };
    },
  };
  return {
    headEnd,
    reads,
    silent,
    /** Reads wait until the returned function is called. */
    holdReads(): () => void {
      let release = () => {};
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}
