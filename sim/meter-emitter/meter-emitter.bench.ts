/**
 * Meter emitter speed: simulated meter-days per second on one core, for fleet sizing (a field network of N meters
 * at speed S needs N × S / 86,400 meter-days per second). Checks its own output: every simulated day must give
 * its CF1 and CF5 frames; exits 1 otherwise. Prints figures only; nothing here is a pass/fail threshold.
 *
 *   npx tsx sim/meter-emitter/meter-emitter.bench.ts [meters=200] [days=7]
 */
import { MeterEmitter } from './meter-emitter.js';

const METERS = Number(process.argv[2] ?? 200);
const DAYS = Number(process.argv[3] ?? 7);
const START = Date.parse('2024-06-10T00:00:00+02:00');
const DAY_MS = 86_400_000;

function fail(message: string): never {
  console.error(`meter-emitter bench: ${message}`);
  process.exit(1);
}

let frameCount = 0;
const startedAt = performance.now();
for (let index = 0; index < METERS; index++) {
  const emitter = new MeterEmitter({
    pod: `IT001E${String(index).padStart(8, '0')}`,
    meterSerial: `21E4E5KA1${String(index).padStart(8, '0')}`,
    contractPowerW: 3_000,
    availablePowerW: 3_300,
    seed: 2024,
    startAt: new Date(START - 1_000),
  });
  for (let day = 1; day <= DAYS; day++) {
    const frames = emitter.advanceTo(new Date(START + day * DAY_MS));
    const cf1 = frames.filter((frame) => frame.type === 'CF1').length;
    const cf5 = frames.filter((frame) => frame.type === 'CF5').length;
    if (cf1 !== 96 || cf5 !== 1) fail(`meter ${index} day ${day}: ${cf1} CF1 and ${cf5} CF5, expected 96 and 1`);
    frameCount += frames.length;
  }
}
const elapsedMs = performance.now() - startedAt;
const meterDays = METERS * DAYS;
console.log(`meter-emitter: ${meterDays} meter-days in ${elapsedMs.toFixed(0)} ms`);
console.log(
  `  ${(elapsedMs / meterDays).toFixed(3)} ms per meter-day (1,440 steps), ${(meterDays / (elapsedMs / 1000)).toFixed(0)} meter-days/s`,
);
console.log(`  ${(frameCount / meterDays).toFixed(1)} frames per meter-day`);
