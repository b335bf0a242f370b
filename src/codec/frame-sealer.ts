import { CounterExhaustedError, InvalidValueError } from './errors.js';
import { copyKey, sealInPlace } from './frame-crypto.js';
import { HEADER_BYTES, MAX_FRAME_COUNTER, SYSTEM_TITLE_BYTES, TAG_BYTES, writeHeader } from './header.js';
import { LAYOUTS, METER_WIRE_CODES, isFrameType, isMeter, type Frame } from './layout.js';
import { encodePayload } from './payload.js';

export interface FrameSealerOptions {
  /** The DU's AES-128 key (16 bytes; see parseDuKey). */
  key: Uint8Array;
  /** The meter's 8-byte system title (see deriveSystemTitle). */
  systemTitle: Uint8Array;
  /** The counter of the next frame; persist `nextFrameCounter` across restarts, or nonces repeat. Default 0. */
  nextFrameCounter?: number;
}

/**
 * The meter side: seals frames under one key and one system title with strictly increasing frame counters,
 * so that no (key, nonce) pair is ever used twice. One sealer per meter; it is not safe to share the
 * counter between two processes.
 */
export class FrameSealer {
  readonly #key: Buffer;
  readonly #systemTitle: Uint8Array;
  #nextFrameCounter: number;

  constructor(options: FrameSealerOptions) {
    this.#key = copyKey(options.key);
    if (!(options.systemTitle instanceof Uint8Array) || options.systemTitle.length !== SYSTEM_TITLE_BYTES) {
      throw new InvalidValueError('systemTitle', `expected ${SYSTEM_TITLE_BYTES} bytes`);
    }
    this.#systemTitle = Uint8Array.from(options.systemTitle);
    const next = options.nextFrameCounter ?? 0;
    if (!Number.isInteger(next) || next < 0 || next > MAX_FRAME_COUNTER + 1) {
      throw new InvalidValueError('nextFrameCounter', `expected an integer in 0..${MAX_FRAME_COUNTER + 1}`);
    }
    this.#nextFrameCounter = next;
  }

  /** The counter the next sealed frame will carry (MAX_FRAME_COUNTER + 1 once exhausted). */
  get nextFrameCounter(): number {
    return this.#nextFrameCounter;
  }

  /** The sealed frame; throws InvalidValueError for a value the layout cannot carry (the counter is not used). */
  seal(frame: Frame): Buffer {
    if (this.#nextFrameCounter > MAX_FRAME_COUNTER) throw new CounterExhaustedError();
    if (!isFrameType(frame.type)) throw new InvalidValueError('type', 'unknown frame type');
    if (!isMeter(frame.meter)) throw new InvalidValueError('meter', 'expected M1 or M2');
    const layout = LAYOUTS[frame.type];
    const out = Buffer.allocUnsafe(HEADER_BYTES + layout.payloadBytes + TAG_BYTES);
    writeHeader(
      out,
      layout.wireCode,
      METER_WIRE_CODES[frame.meter],
      this.#systemTitle,
      this.#nextFrameCounter,
      layout.payloadBytes,
    );
    encodePayload(layout, frame.payload, out, HEADER_BYTES, 'payload');
    sealInPlace(this.#key, out);
    this.#nextFrameCounter++;
    return out;
  }
}
