import { createHash } from 'node:crypto';
import { InvalidValueError } from './errors.js';
import { SYSTEM_TITLE_BYTES } from './header.js';

/**
 * The 8-byte DLMS system title of a meter, derived from its serial (the DataPlate): the first 8 bytes of
 * SHA-256 over a fixed label and the trimmed, upper-cased serial. Each meter gets its own title, so the M1
 * and M2 meters of one supply never share a nonce even when they share the DU's key.
 */
export function deriveSystemTitle(meterSerial: string): Uint8Array {
  const serial = typeof meterSerial === 'string' ? meterSerial.trim().toUpperCase() : '';
  if (serial === '') throw new InvalidValueError('meterSerial', 'expected a non-empty meter serial');
  const digest = createHash('sha256').update('chain2 system title v1\0').update(serial, 'utf8').digest();
  return Uint8Array.from(digest.subarray(0, SYSTEM_TITLE_BYTES));
}
