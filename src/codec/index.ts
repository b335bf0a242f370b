/** The Chain 2 frame codec: its public surface. Layout in LAYOUT.md. Imports nothing else of the project. */
export * from './errors.js';
export {
  FrameType,
  Meter,
  FRAME_LAYOUTS,
  LAYOUTS,
  MAX_PAYLOAD_BYTES,
  type Frame,
  type PayloadOf,
  type FieldSpec,
} from './layout.js';
export { HEADER_BYTES, TAG_BYTES, MAX_FRAME_BYTES, MAX_FRAME_COUNTER, measureFrame } from './header.js';
export { FrameSealer, type FrameSealerOptions } from './frame-sealer.js';
export { FrameOpener, type FrameOpenerOptions, type OpenedFrame } from './frame-opener.js';
export { parseDuKey } from './frame-crypto.js';
export { deriveSystemTitle } from './system-title.js';
export { formatEnvelopeTs, formatMeterDateTime, TIME_ZONE } from './date-time.js';
export { toChain2Json, fromChain2Json, parseChain2Json, type Chain2Envelope, type Chain2Json } from './envelope.js';
