import { untilSignal } from '../../src/cli/signals.js';
import type { Config } from '../../src/config.js';
import { POWER_LINE_PATH, startChain2PowerLine } from './chain2-power-line.js';
import type { Logger } from '../../src/services/ports/index.js';
import { NO_FIELD_FAULTS } from '../meter/field-faults.js';
import { startFieldNetworkServer } from './field-network.server.js';
import { FieldNetworkSimulator } from './field-network.simulator.js';

/** The field network as the platform's settings describe it (SIMULATOR_*). */
export function configuredFieldNetwork(
  { fieldFaults, ...settings }: Config['simulator'],
  logger: Logger,
): FieldNetworkSimulator {
  return new FieldNetworkSimulator({ ...settings, logger, ...(!fieldFaults && { faults: NO_FIELD_FAULTS }) });
}

/**
 * Runs the field network as a service of its own (concentrators and meters outlive the workers that command and
 * read them); workers reach it with HEAD_END_URL. Meters are learnt from the commands' and reads' registry sites.
 * Its programmed meters emit Chain 2 on its own power line, which DUs tap at `ws://<host:port>/power-line/<MAC>`
 * (`chain2 du --medium …`), exactly as in the single-process demo.
 */
export async function fieldNetworkService(config: Config): Promise<number> {
  const server = await startFieldNetworkServer({
    host: config.fieldNetwork.host,
    port: config.fieldNetwork.port,
    logLevel: config.logLevel,
    network: (logger) => configuredFieldNetwork(config.simulator, logger),
  });
  const powerLine = startChain2PowerLine(server.simulator, server.app.server, {
    lossRate: config.chain2.lossRate,
    seed: config.simulator.seed,
  });
  const { timeScale, latencyMs, lossRate, unreachableRate } = config.simulator;
  const medium = `${server.url.replace(/^http/, 'ws')}${POWER_LINE_PATH.slice(0, -1)}`;
  console.log(
    `\nchain2 field network is running\n  Head-end URL: ${server.url}   (set HEAD_END_URL=${server.url} on the workers)` +
      `\n  Simulation:   time ×${timeScale}, hop latency ${latencyMs} ms, loss ${lossRate}, unreachable ${unreachableRate}` +
      `\n  Power line:   ${medium}/<MAC>   (chain2 du --medium ${medium} …)` +
      '\n  Stop:         Ctrl+C\n',
  );
  await untilSignal();
  await powerLine.close();
  await server.close();
  return 0;
}
