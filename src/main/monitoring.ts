import type { Platform } from './platform.js';

/** How often (wall time) the monitoring job looks for a day whose cut-off has passed. */
export const MONITORING_TICK_MS = 5_000;
/** How often ended sessions and old login attempts are removed. */
export const HOUSEKEEPING_TICK_MS = 10 * 60_000;

export interface Periodic {
  stop(): Promise<void>;
}

/** Runs `work` now and every `everyMs`, one run at a time; a failure is logged and the next tick tries again. */
function every(everyMs: number, work: () => Promise<unknown>, onError: (error: unknown) => void): Periodic {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(work).catch(onError);
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * The scheduled monitoring job of a worker process: computes each day's provisional version at the cut-off and its
 * final one a day later (KpiService.runDue), on the meters' clock.
 */
export function startMonitoring(platform: Platform, everyMs = MONITORING_TICK_MS): Periodic {
  return every(
    everyMs,
    () => platform.services.kpi.runDue(),
    (error) => platform.app.log.error({ err: error }, 'monitoring: computing a day failed; retried at the next tick'),
  );
}

/** Housekeeping of a worker process: sessions that have ended and login attempts whose window has closed, removed. */
export function startHousekeeping(platform: Platform, everyMs = HOUSEKEEPING_TICK_MS): Periodic {
  return every(
    everyMs,
    async () => {
      const removed = await platform.services.sessions.purgeEnded();
      if (removed.sessions + removed.attempts > 0)
        platform.app.log.info(removed, 'housekeeping: ended sessions and old login attempts removed');
    },
    (error) => platform.app.log.error({ err: error }, 'housekeeping failed; retried at the next tick'),
  );
}
