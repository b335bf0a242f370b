/**
 * The simulators as the platform's entry points use them (`Simulators`, src/main/simulators.ts): `bin/chain2.js`
 * and the tests hand this to `runCli` / `createPlatform`, so that src/ never imports sim/.
 */
import type { Simulators } from '../src/main/simulators.js';
import { startChain2Field } from './demo-field/chain2-field.js';
import { DU_USAGE, runDuCommand } from './du-emulator/index.js';
import { fieldNetworkService } from './field-network/field-network.service.js';
import { FieldNetworkSimulator } from './field-network/field-network.simulator.js';

export const simulators: Simulators = {
  fieldNetwork: (settings, logger) => new FieldNetworkSimulator({ ...settings, logger }),
  fieldNetworkService,
  startDemoChain2: startChain2Field,
  du: { usage: DU_USAGE, run: runDuCommand },
};
