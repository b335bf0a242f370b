import {
  IncompleteFrameError,
  InvalidValueError,
  MalformedFrameError,
  OversizedFrameError,
  ReplayedFrameError,
} from './errors.js';
import { copyKey, openFrameBytes } from './frame-crypto.js';
import {
  HEADER_BYTES,
  HeaderOffset,
  MAX_FRAME_COUNTER,
  SYSTEM_TITLE_BYTES,
  measureFrame,
  readUint32,
} from './header.js';
import { LAYOUT_BY_WIRE_CODE, type Frame, type Meter } from './layout.js';
import { decodePayload } from './payload.js';

export interface OpenedFrame {
  frame: Frame;
  /** The sending meter's system title, 16 hex digits (lowercase). */
  systemTitleHex: string;
  frameCounter: number;
}

export interface FrameOpenerOptions {
  /** The DU's AES-128 key (16 bytes; see parseDuKey). */
  key: Uint8Array;
  /** Last accepted counter per system title (from `lastFrameCounters()`), so a restart does not reopen old frames. */
  lastFrameCounters?: Readonly<Record<string, number>>;
}

const WIRE_METERS: readonly (Meter | undefined)[] = [undefined, 'M1', 'M2'];
const SYSTEM_TITLE_HEX = /^[0-9a-f]{16}$/;

/**
 * The DU side: authenticates, decrypts and decodes frames under one DU's key, and refuses a frame whose
 * counter is not above the last one accepted from the same meter (system title). Checks, in order:
 * structure needed to find the tag (magic, version, length) → tag → counter → type, meter and payload.
 * Nothing the tag covers is interpreted before the tag is verified.
 */
export class FrameOpener {
  readonly #key: Buffer;
  readonly #lastFrameCounters = new Map<string, number>();

  constructor(options: FrameOpenerOptions) {
    this.#key = copyKey(options.key);
    for (const [systemTitleHex, counter] of Object.entries(options.lastFrameCounters ?? {})) {
      if (!SYSTEM_TITLE_HEX.test(systemTitleHex)) {
        throw new InvalidValueError(`lastFrameCounters.${systemTitleHex}`, 'expected 16 lowercase hex digits');
      }
      if (!Number.isInteger(counter) || counter < 0 || counter > MAX_FRAME_COUNTER) {
        throw new InvalidValueError(`lastFrameCounters.${systemTitleHex}`, 'expected a uint32 frame counter');
      }
      this.#lastFrameCounters.set(systemTitleHex, counter);
    }
  }

  /** Throws only CodecErrors: malformed, incomplete, oversized, authentication_failed, replayed. */
  open(bytes: Uint8Array): OpenedFrame {
    if (!(bytes instanceof Uint8Array)) throw new InvalidValueError('bytes', 'expected a Uint8Array');
    const frameBytes = measureFrame(bytes);
    if (bytes.length > frameBytes) throw new OversizedFrameError(frameBytes, bytes.length);
    if (bytes.length < frameBytes) throw new IncompleteFrameError(frameBytes - bytes.length);
    const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const plaintext = openFrameBytes(this.#key, input);

    const frameCounter = readUint32(input, HeaderOffset.frameCounter);
    const systemTitleHex = input.toString(
      'hex',
      HeaderOffset.systemTitle,
      HeaderOffset.systemTitle + SYSTEM_TITLE_BYTES,
    );
    const last = this.#lastFrameCounters.get(systemTitleHex);
    if (last !== undefined && frameCounter <= last) throw new ReplayedFrameError(frameCounter, last);

    const layout = LAYOUT_BY_WIRE_CODE[input[HeaderOffset.frameType]!];
    if (layout === undefined) throw new MalformedFrameError(HeaderOffset.frameType, 'unknown frame type');
    const meter = WIRE_METERS[input[HeaderOffset.meter]!];
    if (meter === undefined) throw new MalformedFrameError(HeaderOffset.meter, 'unknown meter');
    if (plaintext.length !== layout.payloadBytes) {
      throw new MalformedFrameError(
        HeaderOffset.payloadLength,
        `a ${layout.type} payload is ${layout.payloadBytes} bytes, not ${plaintext.length}`,
      );
    }
    const payload = decodePayload(layout, plaintext, HEADER_BYTES);
    this.#lastFrameCounters.set(systemTitleHex, frameCounter);
    return { frame: { type: layout.type, meter, payload } as Frame, systemTitleHex, frameCounter };
  }

  /** The replay state to persist: last accepted frame counter per system title. */
  lastFrameCounters(): Record<string, number> {
    return Object.fromEntries(this.#lastFrameCounters);
  }
}
