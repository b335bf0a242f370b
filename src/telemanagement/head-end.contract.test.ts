import type { Pod } from '../domain/identifiers.js';
import { FieldNetworkSimulator } from './field-network.simulator.js';
import { headEndContract } from './head-end.contract.js';
import { VirtualScheduler } from './scheduler.js';

headEndContract('field-network simulator', async () => {
  const pod = 'IT001E10000001' as Pod;
  const headEnd = new FieldNetworkSimulator({
    scheduler: new VirtualScheduler({ startMs: Date.UTC(2026, 0, 12, 8, 0) }),
    lossRate: 0,
    unreachableRate: 0,
    meters: [{ pod, meterSerial: '21E4E5KA101249263', concentratorId: 'CN000001', contractPowerW: 3000 }],
  });
  return { headEnd, pod, contractPowerW: 3000, unknownPod: 'IT001E99999999' as Pod, close: async () => {} };
});
