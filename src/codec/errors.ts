/**
 * The codec's own errors: the only things `FrameOpener.open`, `measureFrame` and the JSON readers throw on
 * hostile input (the fuzz script checks it). Codes are stable forever; callers switch on `code`.
 * Modelled on msgpack-javascript's Decoder: malformed data (with its byte offset) is not the same as
 * data that is merely incomplete (with how many more bytes are needed).
 */
export const CodecErrorCode = {
  /** Bytes that can never be a valid frame; `byteOffset` points at the first offending byte. */
  malformed: 'malformed',
  /** A prefix of a frame: `bytesNeeded` more bytes could complete it. */
  incomplete: 'incomplete',
  /** More bytes than the frame declares, or a declared size beyond the limit. */
  oversized: 'oversized',
  /** Wrong key, or any byte covered by the tag changed. Deliberately says nothing about which. */
  authenticationFailed: 'authentication_failed',
  /** An authentic frame whose counter is not above the last one accepted from the same meter. */
  replayed: 'replayed',
  /** A value that cannot be encoded (JSON envelope or frame to seal); `path` names it. */
  invalidValue: 'invalid_value',
  /** The sealer used its last frame counter: the nonce space under this key and system title is spent. */
  counterExhausted: 'counter_exhausted',
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

export abstract class CodecError extends Error {
  abstract readonly code: CodecErrorCode;
}

export class MalformedFrameError extends CodecError {
  readonly code = CodecErrorCode.malformed;
  constructor(
    /** Offset in the whole frame (header included) of the first byte found wrong. */
    readonly byteOffset: number,
    readonly reason: string,
  ) {
    super(`Malformed frame at byte ${byteOffset}: ${reason}`);
    this.name = 'MalformedFrameError';
  }
}

export class IncompleteFrameError extends CodecError {
  readonly code = CodecErrorCode.incomplete;
  constructor(readonly bytesNeeded: number) {
    super(`Incomplete frame: ${bytesNeeded} more byte(s) needed`);
    this.name = 'IncompleteFrameError';
  }
}

export class OversizedFrameError extends CodecError {
  readonly code = CodecErrorCode.oversized;
  constructor(
    readonly limitBytes: number,
    readonly actualBytes: number,
  ) {
    super(`Oversized frame: ${actualBytes} bytes where at most ${limitBytes} are allowed`);
    this.name = 'OversizedFrameError';
  }
}

export class AuthenticationFailedError extends CodecError {
  readonly code = CodecErrorCode.authenticationFailed;
  constructor(options?: { cause?: unknown }) {
    super('Frame authentication failed', options);
    this.name = 'AuthenticationFailedError';
  }
}

export class ReplayedFrameError extends CodecError {
  readonly code = CodecErrorCode.replayed;
  constructor(
    readonly frameCounter: number,
    readonly lastFrameCounter: number,
  ) {
    super(`Replayed or old frame: counter ${frameCounter}, last accepted ${lastFrameCounter}`);
    this.name = 'ReplayedFrameError';
  }
}

export class InvalidValueError extends CodecError {
  readonly code = CodecErrorCode.invalidValue;
  constructor(
    /** Dotted path of the value, e.g. `Chain2Data.Payload.TariffCode`. */
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid value at ${path || '(root)'}: ${reason}`, options);
    this.name = 'InvalidValueError';
  }
}

export class CounterExhaustedError extends CodecError {
  readonly code = CodecErrorCode.counterExhausted;
  constructor() {
    super('Frame counter exhausted: rotate the key or the system title before sealing more frames');
    this.name = 'CounterExhaustedError';
  }
}

export function isCodecError(error: unknown): error is CodecError {
  return error instanceof CodecError;
}
