/**
 * The JSON envelope Open DU integrations already emit (CHAIN2.md §4):
 *   {"Chain2Data": {"Id": "<DU id>", "Ts": "YYYY/MM/DD HH:MM:SS", "Meter": "M1", "Type": "CF1", "Payload": {...}}}
 * Reading is strict: exactly these keys, exactly the payload fields of the type, every value in range.
 */
import { isEnvelopeTs } from './date-time.js';
import { InvalidValueError } from './errors.js';
import { LAYOUTS, isFrameType, isMeter, type Frame, type FrameType, type Meter } from './layout.js';
import { describeInvalidValue, type PayloadValues } from './payload.js';

export interface Chain2Envelope {
  /** The DU's identifier as the DU reports it. */
  duId: string;
  /** When the DU received the frame, Europe/Rome wall clock (see formatEnvelopeTs). */
  ts: string;
  frame: Frame;
}

export interface Chain2Json {
  Chain2Data: { Id: string; Ts: string; Meter: Meter; Type: FrameType; Payload: PayloadValues };
}

const ROOT = 'Chain2Data';
const ENVELOPE_KEYS = ['Id', 'Ts', 'Meter', 'Type', 'Payload'] as const;
const DU_ID_MAX_CHARS = 64;
const PRINTABLE = /^[\x20-\x7e]+$/;

export function toChain2Json(envelope: Chain2Envelope): Chain2Json {
  const { duId, ts, frame } = envelope;
  checkDuId(duId);
  checkTs(ts);
  if (!isMeter(frame.meter)) throw new InvalidValueError(`${ROOT}.Meter`, 'expected M1 or M2');
  if (!isFrameType(frame.type)) throw new InvalidValueError(`${ROOT}.Type`, 'unknown frame type');
  return {
    Chain2Data: {
      Id: duId,
      Ts: ts,
      Meter: frame.meter,
      Type: frame.type,
      Payload: readPayload(frame.type, frame.payload),
    },
  };
}

/** The envelope in `value` (already parsed JSON); throws InvalidValueError naming the first bad path. */
export function fromChain2Json(value: unknown): Chain2Envelope {
  const root = expectObject(value, '', [ROOT]);
  const data = expectObject(root[ROOT], ROOT, ENVELOPE_KEYS);
  const { Id: duId, Ts: ts, Meter: meter, Type: type } = data;
  checkDuId(duId);
  checkTs(ts);
  if (!isMeter(meter)) throw new InvalidValueError(`${ROOT}.Meter`, 'expected M1 or M2');
  if (!isFrameType(type)) throw new InvalidValueError(`${ROOT}.Type`, 'unknown frame type');
  const payload = readPayload(type, data.Payload);
  return { duId, ts, frame: { type, meter, payload } as Frame };
}

/** `fromChain2Json` over JSON text. */
export function parseChain2Json(text: string): Chain2Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidValueError('', 'not JSON', { cause });
  }
  return fromChain2Json(value);
}

/** A copy of the payload in table order, every field present and in range, no other field. */
function readPayload(type: FrameType, value: unknown): PayloadValues {
  const layout = LAYOUTS[type];
  const path = `${ROOT}.Payload`;
  const source = expectObject(
    value,
    path,
    layout.fields.map((field) => field.name),
  );
  const payload: PayloadValues = {};
  for (const field of layout.fields) {
    const fieldValue = source[field.name];
    const reason = describeInvalidValue(field, fieldValue);
    if (reason !== undefined) throw new InvalidValueError(`${path}.${field.name}`, reason);
    payload[field.name] = fieldValue as string | number;
  }
  return payload;
}

function expectObject(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidValueError(path, 'expected an object');
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!keys.includes(key)) throw new InvalidValueError(join(path, key), 'unexpected field');
  }
  for (const key of keys) {
    if (!Object.hasOwn(record, key)) throw new InvalidValueError(join(path, key), 'missing field');
  }
  return record;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function checkDuId(duId: unknown): asserts duId is string {
  if (typeof duId !== 'string' || duId.length > DU_ID_MAX_CHARS || !PRINTABLE.test(duId)) {
    throw new InvalidValueError(`${ROOT}.Id`, `expected 1..${DU_ID_MAX_CHARS} printable ASCII characters`);
  }
}

function checkTs(ts: unknown): asserts ts is string {
  if (typeof ts !== 'string' || !isEnvelopeTs(ts))
    throw new InvalidValueError(`${ROOT}.Ts`, 'expected YYYY/MM/DD HH:MM:SS');
}
