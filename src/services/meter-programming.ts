import type { MacAddress } from '../domain/identifiers.js';
import type { DuKey } from '../domain/identifiers.js';
import type { MeterCommand } from '../domain/meter-command.js';
import { RequestKind } from '../domain/request.js';
import type { DuChanges, SecretBox } from './ports/index.js';
import type { Association } from '../domain/association.js';

/**
 * What a request asks of the meter over Chain 1: a create programs the DU's MAC and key, a delete clears them,
 * a modify reprograms only if the MAC or the key changed (name and versions live in the platform, not the meter).
 * Undefined: nothing to send, the request completes without Chain 1 traffic.
 */
export function meterCommandFor(
  secretBox: SecretBox,
  request: { kind: RequestKind; associationId: string; changes: DuChanges | null }, association: Association,
  /** The association's sealed key: needed unless a modify brings a new one. */
  associationKey: Uint8Array | undefined,
): MeterCommand | undefined {
  if (request.kind === RequestKind.delete) return { kind: 'clear_chain2' };
  const changes = request.kind === RequestKind.modify ? request.changes ?? {} : {};
  if (request.kind === RequestKind.modify && !changes.macAddress && !changes.sealedKey) return undefined;
  const sealed = changes.sealedKey ?? associationKey;
  if (!sealed) throw new Error(`association ${request.associationId} has no sealed key`);
  return {
    kind: 'program_chain2',
    macAddress: (changes.macAddress ?? association.du.macAddress) as MacAddress,
    encryptionKey: secretBox.open(sealed) as DuKey,
  };
}
