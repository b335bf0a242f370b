/**
 * Chain 2 codec throughput on one core: frames sealed and opened per second (a mix of every frame type),
 * beside a baseline measured in the same run: raw AES-128-GCM (node:crypto, one cipher per message) over
 * the same plaintext sizes with the same 18-byte AAD, without our framing. Median of ROUNDS rounds after a
 * warm-up. Checks its own results: every opened frame must equal the frame sealed; exits 1 otherwise.
 *
 *   npx tsx bench/codec.bench.ts            (BENCH_FRAMES=20000 BENCH_ROUNDS=5)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { FrameOpener } from '../src/codec/frame-opener.js';
import { FrameSealer } from '../src/codec/frame-sealer.js';
import { HEADER_BYTES, TAG_BYTES } from '../src/codec/header.js';
import type { Frame } from '../src/codec/layout.js';
import { randomFrame, seededRandom } from '../src/codec/random-frame.js';
import { deriveSystemTitle } from '../src/codec/system-title.js';
import { printPeakMemory } from './support.js';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_PER_SECOND = 200_000;

const key = randomBytes(16);
const systemTitle = deriveSystemTitle('21E4E5KA101249263');
const random = seededRandom(2024);
const frames: Frame[] = Array.from({ length: FRAMES }, () => randomFrame(random));

interface Round {
  seal: number;
  open: number;
  rawSeal: number;
  rawOpen: number;
}

function perSecond(count: number, startedAt: number): number {
  return count / ((performance.now() - startedAt) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function fail(message: string): never {
  console.error(`codec bench: WRONG RESULT: ${message}`);
  process.exit(1);
}

function measureCodec(): { seal: number; open: number; plaintextSizes: number[] } {
  const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: 1 });
  const sealed: Buffer[] = new Array<Buffer>(FRAMES);
  let startedAt = performance.now();
  for (let index = 0; index < FRAMES; index++) sealed[index] = sealer.seal(frames[index]!);
  const seal = perSecond(FRAMES, startedAt);

  const opener = new FrameOpener({ key });
  const opened = new Array<ReturnType<FrameOpener['open']>>(FRAMES);
  startedAt = performance.now();
  for (let index = 0; index < FRAMES; index++) opened[index] = opener.open(sealed[index]!);
  const open = perSecond(FRAMES, startedAt);

  for (let index = 0; index < FRAMES; index++) {
    if (opened[index]!.frameCounter !== index + 1)
      fail(`frame ${index} opened with counter ${opened[index]!.frameCounter}`);
    if (!isDeepStrictEqual(opened[index]!.frame, frames[index]))
      fail(`frame ${index} opened differently from what was sealed`);
  }
  return { seal, open, plaintextSizes: sealed.map((bytes) => bytes.length - HEADER_BYTES - TAG_BYTES) };
}

function measureRawGcm(plaintexts: Buffer[]): { rawSeal: number; rawOpen: number } {
  const aad = randomBytes(HEADER_BYTES);
  const nonces = plaintexts.map(() => randomBytes(12));
  const ciphertexts: Buffer[] = new Array<Buffer>(plaintexts.length);
  const tags: Buffer[] = new Array<Buffer>(plaintexts.length);
  let startedAt = performance.now();
  for (let index = 0; index < plaintexts.length; index++) {
    const cipher = createCipheriv('aes-128-gcm', key, nonces[index]!, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    ciphertexts[index] = cipher.update(plaintexts[index]!);
    cipher.final();
    tags[index] = cipher.getAuthTag();
  }
  const rawSeal = perSecond(plaintexts.length, startedAt);

  const opened: Buffer[] = new Array<Buffer>(plaintexts.length);
  startedAt = performance.now();
  for (let index = 0; index < plaintexts.length; index++) {
    const decipher = createDecipheriv('aes-128-gcm', key, nonces[index]!, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tags[index]!);
    opened[index] = decipher.update(ciphertexts[index]!);
    decipher.final();
  }
  const rawOpen = perSecond(plaintexts.length, startedAt);
  for (let index = 0; index < plaintexts.length; index++) {
    if (!opened[index]!.equals(plaintexts[index]!)) fail(`raw GCM message ${index} did not decrypt to its plaintext`);
  }
  return { rawSeal, rawOpen };
}

function runRound(): Round {
  const codec = measureCodec();
  const raw = measureRawGcm(codec.plaintextSizes.map((size) => randomBytes(size)));
  return { seal: codec.seal, open: codec.open, ...raw };
}

const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);

runRound(); // warm-up: JIT, OpenSSL tables
const rounds = Array.from({ length: ROUNDS }, runRound);
const figures = {
  seal: median(rounds.map((round) => round.seal)),
  open: median(rounds.map((round) => round.open)),
  rawSeal: median(rounds.map((round) => round.rawSeal)),
  rawOpen: median(rounds.map((round) => round.rawOpen)),
};
const meanPayload = frames.reduce((sum, frame) => sum + JSON.stringify(frame.payload).length, 0) / FRAMES;

console.log(`Chain 2 codec, one core (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
console.log(
  `${FRAMES} frames per round, every type mixed (mean JSON payload ${Math.round(meanPayload)} chars); median of ${ROUNDS} rounds`,
);
console.log('');
console.log('                      codec/s   raw AES-128-GCM/s   codec ÷ raw   target');
for (const [label, codec, raw] of [
  ['seal', figures.seal, figures.rawSeal],
  ['open', figures.open, figures.rawOpen],
] as const) {
  const verdict = codec >= TARGET_PER_SECOND ? 'met' : 'NOT met';
  console.log(
    `  ${label.padEnd(6)}        ${format(codec)}           ${format(raw)}         ${(codec / raw).toFixed(2).padStart(5)}   ≥ ${TARGET_PER_SECOND.toLocaleString('en-US')} ${verdict}`,
  );
}
console.log('');
console.log(`verified: ${FRAMES * (ROUNDS + 1)} frames opened equal to the frames sealed`);
printPeakMemory();
