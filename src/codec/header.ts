/**
 * The clear header of a Chain 2 frame (LAYOUT.md). It is the AES-GCM additional authenticated data; bytes
 * 4–15 (system title ‖ frame counter) are the nonce, DLMS style.
 *
 *   0  magic 0xC2        1  version 0x01      2  frame type (wire code)   3  meter (1 = M1, 2 = M2)
 *   4  system title (8 bytes)                 12 frame counter (uint32)   16 payload length (uint16)
 *   18 ciphertext (payload length bytes)      then the 16-byte tag
 */
import { IncompleteFrameError, MalformedFrameError, OversizedFrameError } from './errors.js';
import { MAX_PAYLOAD_BYTES } from './layout.js';

export const MAGIC = 0xc2;
export const VERSION = 0x01;
export const HEADER_BYTES = 18;
export const TAG_BYTES = 16;
export const SYSTEM_TITLE_BYTES = 8;
export const NONCE_BYTES = 12;
export const MAX_FRAME_COUNTER = 0xffff_ffff;
export const MAX_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES + TAG_BYTES;

export const HeaderOffset = {
  magic: 0,
  version: 1,
  frameType: 2,
  meter: 3,
  systemTitle: 4,
  frameCounter: 12,
  payloadLength: 16,
} as const;

/**
 * The length of the frame that starts at `bytes[0]`, from its header alone (for stream readers). Reads only
 * what is needed to find the frame's end: magic, version, payload length. Nothing here is authenticated yet.
 */
export function measureFrame(bytes: Uint8Array): number {
  if (bytes.length > HeaderOffset.magic && bytes[HeaderOffset.magic] !== MAGIC) {
    throw new MalformedFrameError(HeaderOffset.magic, 'not a Chain 2 frame (magic byte)');
  }
  if (bytes.length > HeaderOffset.version && bytes[HeaderOffset.version] !== VERSION) {
    throw new MalformedFrameError(HeaderOffset.version, `unsupported version ${bytes[HeaderOffset.version]}`);
  }
  if (bytes.length < HEADER_BYTES) throw new IncompleteFrameError(HEADER_BYTES - bytes.length);
  const payloadBytes = (bytes[HeaderOffset.payloadLength]! << 8) | bytes[HeaderOffset.payloadLength + 1]!;
  const frameBytes = HEADER_BYTES + payloadBytes + TAG_BYTES;
  if (payloadBytes > MAX_PAYLOAD_BYTES) throw new OversizedFrameError(MAX_FRAME_BYTES, frameBytes);
  return frameBytes;
}

export function writeHeader(
  out: Uint8Array,
  wireType: number,
  wireMeter: number,
  systemTitle: Uint8Array,
  frameCounter: number,
  payloadBytes: number,
): void {
  out[HeaderOffset.magic] = MAGIC;
  out[HeaderOffset.version] = VERSION;
  out[HeaderOffset.frameType] = wireType;
  out[HeaderOffset.meter] = wireMeter;
  out.set(systemTitle, HeaderOffset.systemTitle);
  writeUint32(out, HeaderOffset.frameCounter, frameCounter);
  out[HeaderOffset.payloadLength] = payloadBytes >>> 8;
  out[HeaderOffset.payloadLength + 1] = payloadBytes & 0xff;
}

export function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

export function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}
