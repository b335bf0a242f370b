import type { Server } from 'node:http';
import { MeterFleet, type Chain2Network, type MeterFleetOptions } from '../meter-fleet/meter-fleet.js';
import { attachPowerLineBridge, PowerLineMedium } from '../power-line/index.js';

/** How often (wall time) the meters are brought up to the simulated now and their frames sent. */
export const CHAIN2_STEP_MS = 1_000;
/** Where other processes tap the power line: `ws://<host:port>/power-line/<MAC>` (`chain2 du --medium …`). */
export const POWER_LINE_PATH = '/power-line/';

export interface Chain2PowerLine {
  medium: PowerLineMedium;
  fleet: MeterFleet;
  /** One step now (tests; the timer does it every `stepMs`). */
  step(): void;
  close(): Promise<void>;
}

/**
 * The field's side of Chain 2, wherever the field network runs (the platform's process, or `chain2 field-network`):
 * every meter holding a Chain 2 configuration emits its frames onto a simulated power line (loss `lossRate`), bridged
 * over WebSocket on `server` at POWER_LINE_PATH, stepped to the network's simulated now every `stepMs` of wall time
 * (the first step is the caller's, once what `onProgrammed` needs is in place).
 */
export function startChain2PowerLine(
  network: Chain2Network,
  server: Server,
  options: { lossRate: number; seed: number; stepMs?: number; onStep?: () => void } & Pick<
    MeterFleetOptions,
    'onProgrammed'
  >,
): Chain2PowerLine {
  const medium = new PowerLineMedium({ lossRate: options.lossRate, seed: options.seed });
  const bridge = attachPowerLineBridge(server, medium, { pathPrefix: POWER_LINE_PATH });
  const fleet = new MeterFleet({
    network,
    medium,
    ...(options.onProgrammed && { onProgrammed: options.onProgrammed }),
  });
  const step = () => {
    fleet.step();
    options.onStep?.();
  };
  const timer = setInterval(step, options.stepMs ?? CHAIN2_STEP_MS);
  timer.unref();
  return {
    medium,
    fleet,
    step,
    async close() {
      clearInterval(timer);
      await bridge.close();
    },
  };
}
