/**
 * One simulated day of Chain 2 for METERS meters with their DUs: every meter programmed (as telemanagement leaves
 * it), the meter fleet emits, seals and transmits each frame on the power line (1 % loss), and one DU emulator per
 * meter opens, counts and turns into Chain2Data JSON every frame it receives. Measured on one core beside its parts
 * in the same run (the meters alone: frames computed, nothing sealed; emit + seal: nothing opened), then with the
 * meters split over one worker thread per core (meters are independent). Target: ≤ 30 s for 10,000 meters.
 *
 *   npm run bench:chain2-day        (BENCH_METERS=10000)
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DuEmulator } from '../sim/du-emulator/index.js';
import { MeterFleet } from '../sim/meter-fleet/meter-fleet.js';
import { PowerLineMedium } from '../sim/power-line/index.js';
import type { DuKey, MacAddress, Pod } from '../src/domain/identifiers.js';
import { FieldNetworkSimulator } from '../sim/field-network/field-network.simulator.js';
import { VirtualScheduler } from '../sim/field-network/scheduler.js';
import { format, printPeakMemory } from './support.js';

const METERS = Number(process.env.BENCH_METERS ?? 10_000);
const TARGET_SECONDS = 30;
const DAY_MS = 24 * 3600_000;
/** The fleet is stepped every simulated quarter-hour (the demo steps every second of wall time). */
const STEP_MS = 15 * 60_000;
const START = Date.UTC(2026, 2, 1, 23, 0); // local midnight in Rome, Monday 2 March 2026

type Slice = { from: number; to: number };
const slice: Slice = isMainThread ? { from: 0, to: METERS } : (workerData as Slice);
const meters = Array.from({ length: slice.to - slice.from }, (_, k) => k + slice.from).map((i) => ({
  pod: `IT001E${String(10_000_000 + i).padStart(8, '0')}` as Pod,
  meterSerial: `21E4E5KA1${String(i).padStart(8, '0')}`,
  concentratorId: `CN${String(Math.floor(i / 100)).padStart(6, '0')}`,
  contractPowerW: 3000,
  macAddress: `DC${i.toString(16).toUpperCase().padStart(10, '0')}` as MacAddress,
  key: randomBytes(16).toString('hex').toUpperCase() as DuKey,
}));

function programmedNetwork(): { network: FieldNetworkSimulator; scheduler: VirtualScheduler } {
  const scheduler = new VirtualScheduler({ startMs: START, autoAdvance: true });
  const network = new FieldNetworkSimulator({ scheduler, lossRate: 0, unreachableRate: 0 });
  for (const m of meters) network.restoreChain2(m, m.macAddress, m.key);
  return { network, scheduler };
}

async function simulateDay(
  withDus: boolean,
  seal: boolean,
): Promise<{ seconds: number; frames: number; received: number }> {
  const { network, scheduler } = programmedNetwork();
  const medium = new PowerLineMedium({ lossRate: 0.01, seed: 1 });
  const dus = withDus
    ? meters.map((m) => new DuEmulator({ id: m.macAddress, pod: m.pod, macAddress: m.macAddress, key: m.key }))
    : [];
  for (const du of dus) medium.attach(du.macAddress, (frame) => du.receive(frame));
  const started = performance.now();
  let frames = 0;
  if (seal) {
    const fleet = new MeterFleet({ network, medium });
    frames += fleet.step(); // the emitters start at midnight
    for (let t = 0; t < DAY_MS; t += STEP_MS) {
      await scheduler.advance(STEP_MS);
      frames += fleet.step();
    }
  } else {
    // The same programmed meters stepped alone: their frames computed, nothing sealed or sent.
    const programmed = [...network.programmedMeters()];
    for (let t = 0; t <= DAY_MS; t += STEP_MS) {
      if (t > 0) await scheduler.advance(STEP_MS);
      for (const meter of programmed) frames += meter.advanceTo(network.now()).length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, frames, received: dus.reduce((sum, du) => sum + du.framesAccepted, 0) };
}

/** The whole day with the meters split over `threads` worker threads; wall time of the slowest. */
async function inThreads(threads: number): Promise<{ seconds: number; frames: number; received: number }> {
  const started = performance.now();
  const per = Math.ceil(METERS / threads);
  const results = await Promise.all(
    Array.from(
      { length: threads },
      (_, t) =>
        new Promise<{ frames: number; received: number }>((resolve, reject) => {
          // A worker does not inherit tsx's loader: it registers it, then loads this file.
          const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
          const worker = new Worker(boot, {
            eval: true,
            workerData: { from: t * per, to: Math.min(METERS, (t + 1) * per) } satisfies Slice,
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return {
    seconds: (performance.now() - started) / 1000,
    frames: results.reduce((sum, r) => sum + r.frames, 0),
    received: results.reduce((sum, r) => sum + r.received, 0),
  };
}

async function main() {
  const line = (label: string, r: { seconds: number; frames: number }, extra = '') =>
    console.log(
      `  ${label.padEnd(34)}${r.seconds.toFixed(1).padStart(6)} s   ${format(r.frames).padStart(10)} frames${extra}`,
    );
  console.log(`One simulated day of Chain 2, ${format(METERS)} meters and their DUs\n`);
  const emitOnly = await simulateDay(false, false);
  line('meters alone (baseline), 1 core', emitOnly);
  const sealed = await simulateDay(false, true);
  line('emit + seal + transmit, 1 core', sealed);
  const whole = await simulateDay(true, true);
  line(
    `… + ${format(METERS)} DUs open, 1 core`,
    whole,
    `   ${format(whole.received)} received (${((1 - whole.received / whole.frames) * 100).toFixed(2)} % lost)`,
  );
  const threads = availableParallelism();
  const parallel = await inThreads(threads);
  line(`whole day, ${threads} worker threads`, parallel, `   ${format(parallel.received)} received`);
  console.log(
    `\n  whole day: ${whole.seconds.toFixed(1)} s on 1 core (${(whole.seconds / emitOnly.seconds).toFixed(2)} × the meters alone), ` +
      `${parallel.seconds.toFixed(1)} s on ${threads} threads; target ≤ ${TARGET_SECONDS} s: ${parallel.seconds <= TARGET_SECONDS ? 'met' : 'NOT met'}`,
  );
  if (
    whole.frames !== sealed.frames ||
    sealed.frames !== emitOnly.frames ||
    parallel.frames !== whole.frames ||
    whole.received === 0
  ) {
    throw new Error('the runs disagree: frames differ between runs or none was received');
  }
  printPeakMemory();
}

if (isMainThread) await main();
else {
  const { frames, received } = await simulateDay(true, true);
  parentPort!.postMessage({ frames, received });
}
