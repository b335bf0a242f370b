import type { DuKey } from '../domain/identifiers.js';
import type { Platform } from './platform.js';

/**
 * An in-process field network's meters live in memory: on start they are given back what the head-end's inventory
 * says they hold (every active association's MAC and key). Returns how many meters were restored.
 */
export async function restoreFieldNetwork(platform: Platform): Promise<number> {
  const network = platform.fieldNetwork;
  if (!network) return 0;
  const configurations = await platform.storage.associations.activeChain2Configurations();
  for (const { site, macAddress, sealedKey } of configurations) {
    if (site.concentratorId) network.restoreChain2(site, macAddress, platform.secretBox.open(sealedKey) as DuKey);
  }
  return configurations.length;
}
