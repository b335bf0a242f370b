/**
 * Encodes and decodes payloads by walking a layout's field table: no per-type code, so the table in
 * layout.ts (and LAYOUT.md) is the whole definition. Decoding runs only on authenticated plaintext.
 */
import { readMeterDateTime, writeMeterDateTime } from './date-time.js';
import { InvalidValueError, MalformedFrameError } from './errors.js';
import { readUint32, writeUint32 } from './header.js';
import type { CompiledLayout, FieldSpec } from './layout.js';

const SPACE = 0x20;
const TILDE = 0x7e;

export type PayloadValues = Record<string, string | number>;

/** Why `value` cannot be carried in `field`, or undefined when it can. */
export function describeInvalidValue(field: FieldSpec, value: unknown): string | undefined {
  switch (field.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'i32':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `expected an integer (${field.unit})`;
      if (value < field.min || value > field.max) return `${value} is outside ${field.min}..${field.max}`;
      return undefined;
    case 'ascii':
      if (typeof value !== 'string') return 'expected a string';
      if (value.length > field.widthBytes) return `longer than ${field.widthBytes} characters`;
      for (let index = 0; index < value.length; index++) {
        const char = value.charCodeAt(index);
        if (char < SPACE || char > TILDE) return `character ${index} is not printable ASCII`;
      }
      return undefined;
    case 'date_time':
      if (typeof value !== 'string') return 'expected a string';
      return writeMeterDateTime(value, SCRATCH_DATE_TIME, 0) ? undefined : 'expected dd/mm/yyyy HH:MM:SS d';
  }
}

const SCRATCH_DATE_TIME = new Uint8Array(8);

/** Writes `payload` at `out[offset..]`; throws InvalidValueError (at `path.Field`) for a value it cannot carry. */
export function encodePayload(
  layout: CompiledLayout,
  payload: Readonly<Record<string, unknown>>,
  out: Uint8Array,
  offset: number,
  path: string,
): void {
  for (const field of layout.fields) {
    const value = payload[field.name];
    const at = offset + field.offset;
    // A date-time is checked while it is written, so that it is parsed once.
    const reason = field.kind === 'date_time' ? undefined : describeInvalidValue(field, value);
    if (reason !== undefined) throw new InvalidValueError(`${path}.${field.name}`, reason);
    switch (field.kind) {
      case 'u8':
        out[at] = value as number;
        break;
      case 'u16':
        out[at] = (value as number) >>> 8;
        out[at + 1] = (value as number) & 0xff;
        break;
      case 'u32':
      case 'i32':
        writeUint32(out, at, (value as number) >>> 0);
        break;
      case 'ascii':
        writeAscii(value as string, out, at, field.widthBytes);
        break;
      case 'date_time':
        if (typeof value !== 'string' || !writeMeterDateTime(value, out, at)) {
          throw new InvalidValueError(`${path}.${field.name}`, describeInvalidValue(field, value) ?? 'invalid');
        }
        break;
    }
  }
}

function writeAscii(text: string, out: Uint8Array, offset: number, widthBytes: number): void {
  for (let index = 0; index < widthBytes; index++) {
    out[offset + index] = index < text.length ? text.charCodeAt(index) : SPACE;
  }
}

/**
 * Reads the payload of `layout` from authenticated plaintext. `frameOffset` is where the plaintext sits in
 * the frame, so errors point at the byte of the frame (header included) that is out of range.
 */
export function decodePayload(layout: CompiledLayout, plaintext: Buffer, frameOffset: number): PayloadValues {
  const payload: PayloadValues = {};
  for (const field of layout.fields) {
    const at = field.offset;
    let value: number | string;
    switch (field.kind) {
      case 'u8':
        value = plaintext[at]!;
        break;
      case 'u16':
        value = (plaintext[at]! << 8) | plaintext[at + 1]!;
        break;
      case 'u32':
        value = readUint32(plaintext, at);
        break;
      case 'i32':
        value = readUint32(plaintext, at) | 0;
        break;
      case 'ascii':
        value = readAscii(plaintext, at, field.widthBytes, frameOffset);
        break;
      case 'date_time': {
        const text = readMeterDateTime(plaintext, at);
        if (typeof text === 'number') {
          throw new MalformedFrameError(frameOffset + at - 1 - text, `${field.name} is not a valid date-time`);
        }
        value = text;
        break;
      }
    }
    if (typeof value === 'number' && (value < field.min || value > field.max)) {
      throw new MalformedFrameError(frameOffset + at, `${field.name} ${value} is outside ${field.min}..${field.max}`);
    }
    payload[field.name] = value;
  }
  return payload;
}

/** Printable ASCII, trailing spaces (the meter's padding) removed. */
function readAscii(bytes: Buffer, offset: number, widthBytes: number, frameOffset: number): string {
  let end = offset;
  for (let index = offset; index < offset + widthBytes; index++) {
    const byte = bytes[index]!;
    if (byte < SPACE || byte > TILDE) {
      throw new MalformedFrameError(frameOffset + index, `byte 0x${byte.toString(16)} in a text field`);
    }
    if (byte !== SPACE) end = index + 1;
  }
  return bytes.toString('latin1', offset, end);
}
