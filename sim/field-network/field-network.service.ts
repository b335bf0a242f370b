import { untilSignal } from '../../src/cli/signals.js';
import type { Config } from '../../src/config.js';
import { startFieldNetworkServer } from './field-network.server.js';
import { FieldNetworkSimulator } from './field-network.simulator.js';

/**
 * Runs the field-network simulator as a service of its own (concentrators and meters outlive the workers that
 * command them); workers reach it with HEAD_END_URL. Meters are learnt from the commands' registry sites.
 */
export async function fieldNetworkService(config: Config): Promise<number> {
  const server = await startFieldNetworkServer({
    host: config.fieldNetwork.host,
    port: config.fieldNetwork.port,
    logLevel: config.logLevel,
    network: (logger) => new FieldNetworkSimulator({ ...config.simulator, logger }),
  });
  const { timeScale, latencyMs, lossRate, unreachableRate } = config.simulator;
  console.log(
    `\nchain2 field network is running\n  Head-end URL: ${server.url}   (set HEAD_END_URL=${server.url} on the workers)` +
      `\n  Simulation:   time ×${timeScale}, hop latency ${latencyMs} ms, loss ${lossRate}, unreachable ${unreachableRate}` +
      '\n  Stop:         Ctrl+C\n',
  );
  await untilSignal();
  await server.close();
  return 0;
}
