/**
 * AES-128-GCM over a frame laid out as header ‖ ciphertext ‖ tag (LAYOUT.md), through node:crypto.
 * Nonce = system title (8 bytes) ‖ frame counter (4 bytes) = header bytes 4–15; AAD = the whole header.
 * A full 16-byte tag (DLMS truncates to 12; the two bytes a frame saves are not worth 32 bits of forgery margin).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AuthenticationFailedError, InvalidValueError } from './errors.js';
import { HEADER_BYTES, HeaderOffset, NONCE_BYTES, TAG_BYTES } from './header.js';

export const KEY_BYTES = 16;
const ALGORITHM = 'aes-128-gcm';
const NONCE_START = HeaderOffset.systemTitle;
const NONCE_END = NONCE_START + NONCE_BYTES;

/**
 * Encrypts in place: `frame` holds the header and the plaintext at HEADER_BYTES, with TAG_BYTES to spare at
 * the end; on return it holds the sealed frame.
 */
export function sealInPlace(key: Uint8Array, frame: Uint8Array): void {
  const tagAt = frame.length - TAG_BYTES;
  const cipher = createCipheriv(ALGORITHM, key, frame.subarray(NONCE_START, NONCE_END), { authTagLength: TAG_BYTES });
  cipher.setAAD(frame.subarray(0, HEADER_BYTES));
  frame.set(cipher.update(frame.subarray(HEADER_BYTES, tagAt)), HEADER_BYTES);
  cipher.final();
  frame.set(cipher.getAuthTag(), tagAt);
}

/** Authenticates and decrypts a whole frame; returns the plaintext payload, or throws AuthenticationFailedError. */
export function openFrameBytes(key: Uint8Array, frame: Uint8Array): Buffer {
  const tagAt = frame.length - TAG_BYTES;
  const decipher = createDecipheriv(ALGORITHM, key, frame.subarray(NONCE_START, NONCE_END), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(frame.subarray(0, HEADER_BYTES));
  decipher.setAuthTag(frame.subarray(tagAt));
  const plaintext = decipher.update(frame.subarray(HEADER_BYTES, tagAt));
  try {
    decipher.final();
  } catch (cause) {
    throw new AuthenticationFailedError({ cause });
  }
  return plaintext;
}

const KEY_HEX = /^[0-9A-Fa-f]{32}$/;

/** A DU key (32 hex digits, CHAIN2.md §2) as the 16 bytes the sealer and the opener take. */
export function parseDuKey(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !KEY_HEX.test(hex)) throw new InvalidValueError('key', 'expected 32 hex digits');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** A private copy of a 16-byte key; the caller's array can be wiped or reused. */
export function copyKey(key: Uint8Array): Buffer {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new InvalidValueError('key', `expected ${KEY_BYTES} bytes (AES-128)`);
  }
  return Buffer.from(key);
}
