/**
 * Seeded random frames for the round-trip property test, the fuzz script and the bench: every field of
 * every type, values biased toward the edges of their range, wildcard date-times included. Frames are
 * canonical (texts without trailing spaces, date-times with a weekday), so decode(encode(f)) equals f.
 */
import { LAYOUTS, Meter, type FieldSpec, type Frame, type FrameType } from './layout.js';
import type { PayloadValues } from './payload.js';

export type Random = () => number;

/** mulberry32: a small, fast, seedable generator in [0, 1). Not for keys. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomInteger(random: Random, field: FieldSpec): number {
  const roll = random();
  if (roll < 0.1) return field.min;
  if (roll < 0.2) return field.max;
  if (roll < 0.6) return randomInt(random, Math.max(field.min, 0), Math.min(field.max, 5000));
  return randomInt(random, field.min, field.max);
}

function randomText(random: Random, widthBytes: number): string {
  const length = randomInt(random, 0, widthBytes);
  let text = '';
  for (let index = 0; index < length; index++) text += String.fromCharCode(randomInt(random, 0x20, 0x7e));
  return text.trimEnd(); // the meter pads with spaces, so trailing spaces do not survive a round trip
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

function randomDateTime(random: Random): string {
  const part = (digits: number, min: number, max: number, wildcard: number) =>
    random() < 0.1 ? String(wildcard) : String(randomInt(random, min, max)).padStart(digits, '0');
  if (random() < 0.05) return '255/255/65535 255:255:255 255';
  return (
    `${part(2, 1, 31, 255)}/${part(2, 1, 12, 255)}/${part(4, 2000, 2099, 65535)} ` +
    `${part(2, 0, 23, 255)}:${part(2, 0, 59, 255)}:${part(2, 0, 59, 255)} ${part(1, 1, 7, 255)}`
  );
}

export function randomPayload(random: Random, type: FrameType): PayloadValues {
  const payload: PayloadValues = {};
  for (const field of LAYOUTS[type].fields) {
    if (field.kind === 'ascii') payload[field.name] = randomText(random, field.widthBytes);
    else if (field.kind === 'date_time') payload[field.name] = randomDateTime(random);
    else payload[field.name] = randomInteger(random, field);
  }
  return payload;
}

export function randomFrame(random: Random, type?: FrameType): Frame {
  const frameType = type ?? pick(random, Object.values(LAYOUTS)).type;
  const meter = random() < 0.5 ? Meter.M1 : Meter.M2;
  return { type: frameType, meter, payload: randomPayload(random, frameType) } as Frame;
}

/** A plausible DU id and envelope `Ts` for JSON round trips. */
export function randomEnvelopeParts(random: Random): { duId: string; ts: string } {
  const duId = `c2g-${randomInt(random, 0, 0xfffffffff).toString(16).toUpperCase()}`;
  const ts =
    `${randomInt(random, 2020, 2039)}/${two(randomInt(random, 1, 12))}/${two(randomInt(random, 1, 28))} ` +
    `${two(randomInt(random, 0, 23))}:${two(randomInt(random, 0, 59))}:${two(randomInt(random, 0, 59))}`;
  return { duId, ts };
}
