import type { Platform } from './platform.js';

/** How often (wall time) the monitoring job looks for a day whose cut-off has passed. */
export const MONITORING_TICK_MS = 5_000;

/**
 * The scheduled monitoring job of a worker process: computes each day's provisional version at the cut-off and its
 * final one a day later (KpiService.runDue), on the meters' clock. One run at a time; errors are logged, not fatal.
 */
export function startMonitoring(platform: Platform, everyMs = MONITORING_TICK_MS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(() => platform.services.kpi.runDue())
      .catch((error) => platform.app.log.error({ err: error }, 'monitoring: computing a day failed; retried at the next tick'));
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
