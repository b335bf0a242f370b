/**
 * The simulators as the platform's entry points use them (`Simulators`, src/main/simulators.ts): `bin/chain2.js`
 * and the tests hand this to `runCli` / `createPlatform`, so that src/ never imports sim/.
 */
import type { Simulators } from '../src/main/simulators.js';
import { startChain2Field } from './demo-field/chain2-field.js';
import { DU_USAGE, runDuCommand } from './du-emulator/index.js';
import { configuredFieldNetwork, fieldNetworkService } from './field-network/field-network.service.js';

export const simulators: Simulators = {
  fieldNetwork: configuredFieldNetwork,
  fieldNetworkService,
  startDemoChain2: startChain2Field,
  du: { usage: DU_USAGE, run: runDuCommand },
};
