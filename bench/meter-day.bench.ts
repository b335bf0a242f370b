/**
 * CPU cost of one meter-day of the simulated 2G meter (issue #13), on one core, medians of 5 runs (after a warm-up run;
 * the four measures in rounds, so they share the machine's noise):
 * - the day file of a meter NOT emitting Chain 2, for a new meter (household drawn, then one day) — what a
 *   collection of 100,000 meters for one day costs per meter — and for the next day of a running meter;
 * - the same with Chain 2 programmed (frames built and returned, day file read);
 * - baseline (the floor of any meter model): a household drawn and its watts sampled once a minute for the day,
 *   nothing integrated, recorded or framed. Before #13 the emitter's day (10 s steps) cost 1.1–1.6 ms (README).
 * Target (issue #13): ≤ 0.25 ms per meter-day file without Chain 2.
 *
 *   npm run bench:meter-day [-- meters=2000]
 */
import type { DuKey, MacAddress, Pod } from '../src/domain/identifiers.js';
import { romeMidnightMs } from '../src/domain/tariff-bands.js';
import { loadPowerW, makeLoadProfile } from '../sim/meter-emitter/load-profile.js';
import { SimulatedMeter } from '../sim/meter/simulated-meter.js';
import { format, median, printPeakMemory } from './support.js';

const METERS = Number(process.argv[2] ?? 2_000);
const RUNS = 5;
const DAYS_RUNNING = 7;
const TARGET_MS = 0.25;
const DAY = { year: 2026, month: 1, day: 12 };
const DAY_TEXT = '2026-01-12';
const START_MS = romeMidnightMs(DAY);
const DAY_MS = 86_400_000;
const MAC = 'DC0A1B2C3D4E' as MacAddress;
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;

let run = 0;
const siteOf = (index: number) => ({
  pod: `IT001E${String(run * 1_000_000 + index).padStart(8, '0')}` as Pod,
  meterSerial: `21E4E5KA1${String(index).padStart(8, '0')}`,
  concentratorId: `CN${String(Math.floor(index / 100)).padStart(6, '0')}`,
  contractPowerW: 3_000,
});

let sink = 0;

interface Block {
  meterDays: number;
  body: () => void;
  setup?: () => void;
  perMeterDay: number[];
}
const blocks: Block[] = [];

/** A measured block: run once to warm up, then RUNS times in rounds with the others (so all share the noise). */
function measure(meterDays: number, body: () => void, setup?: () => void): Block {
  const block: Block = { meterDays, body, perMeterDay: [], ...(setup && { setup }) };
  blocks.push(block);
  return block;
}

function runAll(): void {
  for (let round = 0; round <= RUNS; round++) {
    for (const block of blocks) {
      run++;
      block.setup?.();
      // CPU time of this process (user + system), not wall time: other work on the machine does not count.
      const startedAt = process.cpuUsage();
      block.body();
      const { user, system } = process.cpuUsage(startedAt);
      if (round > 0) block.perMeterDay.push((user + system) / 1000 / block.meterDays);
    }
  }
}

const newMeter = measure(METERS, () => {
  for (let i = 0; i < METERS; i++) {
    const meter = new SimulatedMeter(siteOf(i), { startMs: START_MS, seed: 1 });
    sink += meter.dayFile(DAY_TEXT).channels.activeImportWh[40]!;
  }
});

const runningMeters = Math.max(1, Math.floor(METERS / DAYS_RUNNING));
const laterDays = Array.from({ length: DAYS_RUNNING }, (_, d) =>
  new Date(START_MS + (d + 1) * DAY_MS + 12 * 3_600_000).toISOString().slice(0, 10),
);
let running: SimulatedMeter[] = [];
const runningMeter = measure(
  runningMeters * DAYS_RUNNING,
  () => {
    for (const meter of running) for (const day of laterDays) sink += meter.dayFile(day).channels.activeImportWh[40]!;
  },
  () => {
    running = Array.from({ length: runningMeters }, (_, i) => {
      const meter = new SimulatedMeter(siteOf(i), { startMs: START_MS, seed: 1 });
      meter.dayFile(DAY_TEXT);
      return meter;
    });
  },
);

const emitting = measure(METERS, () => {
  for (let i = 0; i < METERS; i++) {
    const meter = new SimulatedMeter(siteOf(i), { startMs: START_MS, seed: 1 });
    meter.receive('p', { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, START_MS);
    sink += meter.advanceTo(START_MS + DAY_MS).length;
    sink += meter.dayFile(DAY_TEXT).chain2FramesSent.total;
  }
});

const baseline = measure(METERS, () => {
  for (let i = 0; i < METERS; i++) {
    const profile = makeLoadProfile(run * 1_000_000 + i, 3_000);
    // 12 January 2026 is a Monday; the day starts at Rome midnight, so the local second is the offset.
    for (let second = 0; second < DAY_MS / 1000; second += 60)
      sink += loadPowerW(profile, START_MS / 1000 + second, second, 'weekday');
  }
});

runAll();
const [newMeterDay, runningDay, emittingDay, baselineDay] = [newMeter, runningMeter, emitting, baseline].map((block) =>
  median(block.perMeterDay),
) as [number, number, number, number];
const row = (label: string, ms: number) => console.log(`  ${label.padEnd(62)} ${format(ms, 3)} ms`);
console.log(`meter-day (one core, ${METERS} meters a run, median of ${RUNS} runs; CPU ms per meter-day):`);
row('day file, no Chain 2, new meter (household drawn + 1 day)', newMeterDay);
row(`day file, no Chain 2, next days of a running meter (${DAYS_RUNNING} days each)`, runningDay);
row('Chain 2 programmed: new meter, frames of the day + day file', emittingDay);
row("baseline: the household's watts alone, sampled each minute of a day", baselineDay);
console.log(
  `  target ≤ ${TARGET_MS} ms per meter-day file without Chain 2: ${newMeterDay <= TARGET_MS ? 'met' : 'NOT met'} ` +
    `(100,000 meter-days ≈ ${format((newMeterDay * 100_000) / 1000, 1)} s of one core)`,
);
if (sink === Number.NEGATIVE_INFINITY) console.log(sink);
printPeakMemory();
