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

function simulator(meters: NetworkSite[]): FieldNetworkSimulator {
  return new FieldNetworkSimulator({
    scheduler: new VirtualScheduler({ startMs: Date.UTC(2026, 0, 12, 8, 0) }),
    lossRate: 0,
    unreachableRate: 0,
    meters,
  });
}

headEndContract('field-network simulator', async () => ({
  headEnd: simulator([site]),
  pod: site.pod,
  contractPowerW: 3000,
  unknownPod,
  close: async () => {},
}));

// The same network in a service of its own, reached over a real socket; it learns the meter from the registry's site.
headEndContract('field-network service over HTTP', async () => {
  const server = await startFieldNetworkServer({ host: '127.0.0.1', port: 0, network: () => simulator([]) });
  const headEnd = new FieldNetworkClient(server.url, async (pod) => (pod === site.pod ? site : undefined));
  return { headEnd, pod: site.pod, contractPowerW: 3000, unknownPod, close: () => server.close() };
});
