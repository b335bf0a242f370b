import type { Pod } from '../../src/domain/identifiers.js';
import { FieldNetworkClient } from '../../src/telemanagement/field-network.client.js';
import { startFieldNetworkServer } from './field-network.server.js';
import { FieldNetworkSimulator } from './field-network.simulator.js';
import type { NetworkSite } from '../../src/services/ports/index.js';
import { headEndContract } from '../../src/telemanagement/head-end.contract.js';
import { VirtualScheduler } from './scheduler.js';

const site: NetworkSite = {
  pod: 'IT001E10000001' as Pod,
  meterSerial: '21E4E5KA101249263',
  concentratorId: 'CN000001',
  contractPowerW: 3000,
};
const unknownPod = 'IT001E99999999' as Pod;

const START_MS = Date.UTC(2026, 0, 11, 22, 0);
/** The meters live through 12 January whole: the fixture's clock is then on the 13th (Rome). */
const days = { concentratorId: site.concentratorId!, finishedDay: '2026-01-12', unfinishedDay: '2026-01-13' };

async function simulator(meters: NetworkSite[]): Promise<FieldNetworkSimulator> {
  const scheduler = new VirtualScheduler({ startMs: START_MS });
  const network = new FieldNetworkSimulator({ scheduler, lossRate: 0, unreachableRate: 0, meters });
  await scheduler.sleep(Date.UTC(2026, 0, 13, 6, 0) - START_MS);
  return network;
}

headEndContract('field-network simulator', async () => ({
  headEnd: await simulator([site]),
  pod: site.pod,
  contractPowerW: 3000,
  unknownPod,
  ...days,
  close: async () => {},
}));

// The same network in a service of its own, reached over a real socket; it learns the meter from the registry's site.
headEndContract('field-network service over HTTP', async () => {
  const network = await simulator([]);
  const server = await startFieldNetworkServer({ host: '127.0.0.1', port: 0, network: () => network });
  const headEnd = new FieldNetworkClient(server.url, async (pod) => (pod === site.pod ? site : undefined));
  return { headEnd, pod: site.pod, contractPowerW: 3000, unknownPod, ...days, close: () => server.close() };
});
