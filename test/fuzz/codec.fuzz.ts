/**
 * Fuzzes the Chain 2 codec for a bounded time: mutates valid frames (bit flips, byte overwrites, truncation,
 * extension, splices, random bytes behind a valid header), seals random plaintexts under the right key (so
 * the payload parser sees authenticated garbage), and mangles JSON envelopes. A finding is any error that is
 * not a codec error, a mutated frame that opens (a forgery), or an authenticated plaintext that decodes but
 * does not re-encode to the same bytes.
 *
 *   npx tsx test/fuzz/codec.fuzz.ts --seconds 10 [--seed 1234]
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { CodecErrorCode, isCodecError, type CodecError } from '../../src/codec/errors.js';
import { fromChain2Json, parseChain2Json, toChain2Json } from '../../src/codec/envelope.js';
import { sealInPlace } from '../../src/codec/frame-crypto.js';
import { FrameOpener } from '../../src/codec/frame-opener.js';
import { FrameSealer } from '../../src/codec/frame-sealer.js';
import { HEADER_BYTES, TAG_BYTES, writeHeader } from '../../src/codec/header.js';
import { LAYOUTS, MAX_PAYLOAD_BYTES } from '../../src/codec/layout.js';
import { encodePayload } from '../../src/codec/payload.js';
import { randomEnvelopeParts, randomFrame, randomInt, seededRandom } from '../../src/codec/random-frame.js';
import { deriveSystemTitle } from '../../src/codec/system-title.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, seed: { type: 'string' } } });
const seconds = Number(values.seconds);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error('usage: codec.fuzz.ts --seconds <n> [--seed <integer>]');
  process.exit(2);
}

const random = seededRandom(seed);
const key = Uint8Array.from({ length: 16 }, () => randomInt(random, 0, 255));
const systemTitle = deriveSystemTitle('21E4E5KA101249263');
const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: 1 });
const outcomes = new Map<string, number>();
let cases = 0;

class Finding extends Error {}

function count(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

function randomBytes(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let index = 0; index < length; index++) bytes[index] = randomInt(random, 0, 255);
  return bytes;
}

/** Runs `attempt`; a codec error is an outcome, anything else a finding. */
function expectOnlyCodecErrors(label: string, input: unknown, attempt: () => void): void {
  try {
    attempt();
    count(`${label}: accepted`);
  } catch (error) {
    if (error instanceof Finding) throw error;
    if (!isCodecError(error) || !Object.values(CodecErrorCode).includes((error as CodecError).code)) {
      throw new Finding(`${label}: threw a non-codec error on ${describe(input)}`, { cause: error });
    }
    count(`${label}: ${error.code}`);
  }
}

function describe(input: unknown): string {
  if (Buffer.isBuffer(input)) return `bytes ${input.toString('hex')}`;
  return typeof input === 'string' ? `text ${input}` : `JSON ${JSON.stringify(input)}`;
}

/** Genuine frames a mutation may reproduce exactly (a splice can rebuild the other frame whole). */
let genuine: Buffer[] = [];

function mutate(original: Buffer): Buffer {
  genuine = [original];
  switch (randomInt(random, 0, 5)) {
    case 0: {
      const bytes = Buffer.from(original);
      for (let flips = randomInt(random, 1, 4); flips > 0; flips--) {
        bytes[randomInt(random, 0, bytes.length - 1)]! ^= 1 << randomInt(random, 0, 7);
      }
      return bytes;
    }
    case 1: {
      const bytes = Buffer.from(original);
      bytes[randomInt(random, 0, bytes.length - 1)] = randomInt(random, 0, 255);
      return bytes;
    }
    case 2:
      return original.subarray(0, randomInt(random, 0, original.length - 1));
    case 3:
      return Buffer.concat([original, randomBytes(randomInt(random, 1, 64))]);
    case 4: {
      const other = sealer.seal(randomFrame(random));
      genuine.push(other);
      const cut = randomInt(random, 0, Math.min(original.length, other.length));
      return Buffer.concat([original.subarray(0, cut), other.subarray(cut)]);
    }
    default: {
      const bytes = randomBytes(randomInt(random, 0, 200));
      if (random() < 0.7 && bytes.length >= HEADER_BYTES) original.copy(bytes, 0, 0, HEADER_BYTES - 2);
      return bytes;
    }
  }
}

/** A mutation of a valid frame must never open, unless it left the bytes unchanged. */
function fuzzMutatedFrame(): void {
  const original = sealer.seal(randomFrame(random));
  const mutated = mutate(original);
  expectOnlyCodecErrors('mutated frame', mutated, () => {
    new FrameOpener({ key }).open(mutated);
    if (!genuine.some((frame) => frame.equals(mutated))) {
      throw new Finding(`forgery: a mutated frame opened: ${mutated.toString('hex')}`);
    }
  });
}

/** Random header fields and plaintext, sealed under the right key: exercises everything after the tag. */
function fuzzAuthenticatedGarbage(): void {
  const layout = LAYOUTS[randomFrame(random).type];
  const validShape = random() < 0.7;
  const payloadBytes = validShape ? layout.payloadBytes : randomInt(random, 0, MAX_PAYLOAD_BYTES);
  const type = validShape || random() < 0.5 ? layout.wireCode : randomInt(random, 0, 255);
  const meter = validShape || random() < 0.5 ? randomInt(random, 1, 2) : randomInt(random, 0, 255);
  const counter = randomInt(random, 0, 0xffff_ffff);
  const frame = Buffer.alloc(HEADER_BYTES + payloadBytes + TAG_BYTES);
  writeHeader(frame, type, meter, systemTitle, counter, payloadBytes);
  const plaintext = random() < 0.5 ? randomBytes(payloadBytes) : plaintextNear(layout.type, payloadBytes);
  plaintext.copy(frame, HEADER_BYTES);
  sealInPlace(key, frame);
  expectOnlyCodecErrors('authenticated garbage', frame, () => {
    const opened = new FrameOpener({ key }).open(frame);
    const resealed = new FrameSealer({ key, systemTitle, nextFrameCounter: counter }).seal(opened.frame);
    if (!resealed.equals(frame)) throw new Finding(`non-canonical decode of ${frame.toString('hex')}`);
  });
}

/** A valid plaintext of `type` with a few bytes changed (most fields stay valid, so later fields get hit too). */
function plaintextNear(type: keyof typeof LAYOUTS, payloadBytes: number): Buffer {
  const layout = LAYOUTS[type];
  const valid = Buffer.alloc(layout.payloadBytes);
  encodePayload(layout, randomFrame(random, type).payload, valid, 0, 'payload');
  const plaintext = Buffer.alloc(payloadBytes);
  valid.copy(plaintext, 0, 0, Math.min(payloadBytes, valid.length));
  for (let changes = randomInt(random, 1, 3); changes > 0 && payloadBytes > 0; changes--) {
    const edgy = [0x00, 0x1f, 0x20, 0x7e, 0x7f, 0xff][randomInt(random, 0, 5)]!;
    plaintext[randomInt(random, 0, payloadBytes - 1)] = random() < 0.5 ? randomInt(random, 0, 255) : edgy;
  }
  return plaintext;
}

const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  -1,
  1.5,
  2 ** 32,
  2 ** 53,
  Number.NaN,
  '',
  'x'.repeat(300),
  [],
  {},
  '255/255/65535 255:255:255 255',
  '1e3',
  { toString: 1 },
];

/** Mangled envelopes: a deleted key, an odd value anywhere, an extra key. */
function fuzzJson(): void {
  const json = toChain2Json({ ...randomEnvelopeParts(random), frame: randomFrame(random) }) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  const data = json.Chain2Data!;
  const payload = data.Payload as Record<string, unknown>;
  const target = random() < 0.6 ? payload : data;
  const keys = Object.keys(target);
  const key = keys[randomInt(random, 0, keys.length - 1)]!;
  const choice = randomInt(random, 0, 3);
  if (choice === 0) delete target[key];
  else if (choice === 1) target[key] = ODD_VALUES[randomInt(random, 0, ODD_VALUES.length - 1)];
  else if (choice === 2) target[`${key}x`] = 1;
  if (choice === 3) {
    const text = JSON.stringify(json);
    const truncated = text.slice(0, randomInt(random, 0, text.length - 1));
    expectOnlyCodecErrors('json text', truncated, () => parseChain2Json(truncated));
    return;
  }
  expectOnlyCodecErrors('json', json, () => {
    const envelope = fromChain2Json(json);
    if (!isDeepStrictEqual(toChain2Json(envelope), json))
      throw new Finding(`JSON did not round-trip: ${JSON.stringify(json)}`);
  });
}

const started = performance.now();
const deadline = started + seconds * 1000;
try {
  while (performance.now() < deadline) {
    for (let batch = 0; batch < 100; batch++) {
      const roll = random();
      if (roll < 0.5) fuzzMutatedFrame();
      else if (roll < 0.85) fuzzAuthenticatedGarbage();
      else fuzzJson();
      cases++;
    }
  }
} catch (error) {
  console.error(`codec fuzz: FINDING after ${cases} cases (seed ${seed}): ${(error as Error).message}`);
  if ((error as Error).cause) console.error((error as Error).cause);
  process.exit(1);
}

const elapsed = (performance.now() - started) / 1000;
const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([outcome, n]) => `  ${outcome}: ${n}`);
console.log(summary.join('\n'));
console.log(`codec fuzz: ${cases} cases in ${elapsed.toFixed(1)} s (seed ${seed}): 0 findings`);
