import {
  DayFileMissing,
  type ConcentratorDayRead,
  type MeterDayFile,
  type SubstationDayFile,
} from '../../src/domain/day-file.js';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import { addDays, romeDay, romeMidnight } from '../../src/domain/kpi.js';
import {
  CommandFailure,
  type AddressedCommand,
  type CommandOutcome,
  type MeterRegisters,
} from '../../src/domain/meter-command.js';
import type {
  DailyReadRequest,
  FieldMeterState,
  FieldNetworkCounters,
  HeadEnd,
  Logger,
  NetworkSite,
} from '../../src/services/ports/index.js';
import type { InProcessFieldNetwork } from '../../src/main/simulators.js';
import { type FieldFaults } from '../meter/field-faults.js';
import { SimulatedMeter, type MeterAnswer } from '../meter/simulated-meter.js';
import { substationDayFile } from '../meter/substation.js';
import { SimulatedHeadEnd } from './simulated-head-end.js';
import { attemptTiming, dailyReadTiming, dayFileAnswerBytes } from './plc-link.js';
import { acceleratedScheduler, VirtualScheduler, type Scheduler } from './scheduler.js';
import { derivedSeed, seededFraction, seededRandom } from '../../src/telemanagement/seeded-random.js';

/** The field network's parameters. Defaults and why they were chosen: SIMULATOR.md. */
export interface FieldNetworkOptions {
  /** PLC band A bit rate, bit/s (Meters and More, current generation: 4,800). Infinity = no transmission time. */
  bitRate: number;
  /** Latency of one hop (concentrator → meter, or back), ms. An attempt has two hops. */
  latencyMs: number;
  /** Probability that one attempt gets no answer (noise, busy channel, low SNR), 0..1. */
  lossRate: number;
  /** Fraction of meters that never answer, 0..1, picked per POD from `seed`. */
  unreachableRate: number;
  /** Attempts per command, first included, ≥ 1. */
  maxAttempts: number;
  /** Back-off after the n-th failed attempt: backoffMs × 2^(n-1), ms. */
  backoffMs: number;
  /** Simulated time runs this many times faster than the wall clock; Infinity = no real waiting (VirtualScheduler). */
  timeScale: number;
  /** Seed of every random draw (losses, unreachable meters, loads): the same seed, the same network. */
  seed: number;
}

export const DEFAULT_FIELD_NETWORK_OPTIONS: Readonly<FieldNetworkOptions> = Object.freeze({
  bitRate: 4800,
  latencyMs: 300,
  lossRate: 0.02,
  unreachableRate: 0.005,
  maxAttempts: 4,
  backoffMs: 1000,
  timeScale: 1,
  seed: 1,
});

export interface FieldNetworkSimulatorInit extends Partial<FieldNetworkOptions> {
  /** Overrides `timeScale`: tests pass a VirtualScheduler to read and move the simulated clock. */
  scheduler?: Scheduler;
  meters?: Iterable<NetworkSite>;
  /** Outcomes are logged with POD, command id and kind; never a command's contents (it may carry a DU key). */
  logger?: Logger;
  /** The meters' field faults (sim/meter/field-faults.ts; defaults there, NO_FIELD_FAULTS for perfect meters). */
  faults?: Partial<FieldFaults>;
  /**
   * Whole days before the network started that its meters have recorded (default 2): a platform starting on a new
   * network back-fills its recent days through the daily read. A meter learnt later records from the same day, or
   * from as far back as it keeps days.
   */
  recordDaysBefore?: number;
}

/** How one attempt goes on the PLC segment. */
type AttemptFate = 'answered' | 'request_lost' | 'answer_lost' | 'no_route';

/**
 * Chain 1 as seen from the head-end: concentrators of ≈100 meters on a PLC segment each. Each concentrator
 * serves its own FIFO queue one command at a time (the PLC segment is half-duplex and the concentrator its only
 * master), so commands for one concentrator complete in order and never overlap, while concentrators work in
 * parallel. A command holds its concentrator through its retries and back-offs.
 *
 * An attempt costs the request frame and the answer frame on the wire plus a hop latency each way (plc-link.ts).
 * A lost attempt (probability `lossRate`) loses the request or the answer with equal odds: when the answer is
 * lost the meter did execute the command, and the retry, carrying the same command id, is acknowledged without
 * being executed twice. After `maxAttempts` without an answer the command fails with `link_timeout`, or with
 * `meter_unreachable` when the meter has no route (an unreachable meter). An unknown POD fails at once.
 */
export class FieldNetworkSimulator implements HeadEnd, InProcessFieldNetwork {
  readonly options: Readonly<FieldNetworkOptions>;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger | undefined;
  readonly #meters = new Map<Pod, SimulatedMeter>();
  readonly #faults: Partial<FieldFaults> | undefined;
  /** Meters record their energy from here (simulated ms): local midnight `recordDaysBefore` days before the start. */
  readonly #recordFromMs: number;
  readonly #concentrators = new Map<string, ConcentratorQueue>();
  /** Reachability set by the operator (`setReachable`), over the seeded draw. */
  readonly #reachabilityOverrides = new Map<Pod, boolean>();
  readonly #counters: FieldNetworkCounters = {
    sent: 0,
    attempts: 0,
    retried: 0,
    done: 0,
    failed: 0,
    failedByReason: { meter_unreachable: 0, link_timeout: 0, rejected_by_meter: 0, unknown_meter: 0 },
  };

  constructor(init: FieldNetworkSimulatorInit = {}) {
    const { scheduler, meters, logger, faults, recordDaysBefore = 2, ...overrides } = init;
    this.options = Object.freeze(validOptions({ ...DEFAULT_FIELD_NETWORK_OPTIONS, ...definedOnly(overrides) }));
    this.#scheduler = scheduler ?? defaultScheduler(this.options.timeScale);
    this.#logger = logger;
    this.#faults = faults;
    this.#recordFromMs = romeMidnight(addDays(romeDay(new Date(this.#scheduler.now())), -recordDaysBefore)).getTime();
    if (meters) this.registerMeters(meters);
  }

  /**
   * Adds meters to the network (Chain 2 not programmed, connected, available power = contract × 1.1, ARERA
   * calendar), each recording its household's energy since `recordDaysBefore` days before the network started.
   * Returns how many were added. A POD already registered is a wiring defect and throws.
   */
  registerMeters(sites: Iterable<NetworkSite>): number {
    let added = 0;
    for (const site of sites) {
      if (site.concentratorId === null) continue;
      if (this.#meters.has(site.pod)) throw new Error(`meter of ${site.pod} is already registered`);
      const meter = new SimulatedMeter(
        {
          pod: site.pod,
          meterSerial: site.meterSerial,
          concentratorId: site.concentratorId,
          contractPowerW: site.contractPowerW,
        },
        {
          startMs: this.#scheduler.now(),
          recordFromMs: this.#recordFromMs,
          seed: this.options.seed,
          ...(this.#faults && { faults: this.#faults }),
        },
      );
      this.#meters.set(site.pod, meter);
      this.#queueOf(site.concentratorId).members.push(meter);
      added++;
    }
    return added;
  }

  /**
   * Delivers a command through the meter's concentrator. `site`, when given, registers a meter the network does not
   * know yet (the registry is the source of the topology; the network learns a meter the first time it is addressed).
   */
  async send(addressed: AddressedCommand, site?: NetworkSite): Promise<CommandOutcome> {
    this.#counters.sent++;
    if (site && site.pod === addressed.pod && !this.#meters.has(site.pod)) this.registerMeters([site]);
    const meter = this.#meters.get(addressed.pod);
    if (!meter) {
      return this.#failed(addressed, 0, CommandFailure.unknownMeter, 'no meter with this POD on any concentrator');
    }
    return this.#queueOf(meter.site.concentratorId).enqueue(() => this.#deliver(addressed, meter));
  }

  /** The head-end over this network, learning meters from the registry (`siteOf`) when first addressed. */
  headEnd(siteOf: (pod: Pod) => Promise<NetworkSite | undefined>): SimulatedHeadEnd {
    return new SimulatedHeadEnd(this, siteOf);
  }

  /**
   * The daily read of one concentrator (`HeadEnd.dailyRead`): each meter's day file fetched over the power line,
   * one meter at a time behind any command waiting (commands first), with the retries and losses of a command. A
   * meter that does not answer that day (a field fault), or has no route, is `no_answer`; one not on this
   * concentrator is `unknown_meter`; a day not over on the network's clock is `day_not_over` for every meter.
   */
  async dailyRead(request: DailyReadRequest, sites: readonly NetworkSite[] = []): Promise<ConcentratorDayRead> {
    for (const site of sites) if (!this.#meters.has(site.pod)) this.registerMeters([site]);
    const { concentratorId, day } = request;
    const read: ConcentratorDayRead = { concentratorId, day, files: [], missing: [], linkSeconds: 0 };
    if (this.#scheduler.now() < romeMidnight(addDays(day, 1)).getTime()) {
      read.missing = request.pods.map((pod) => ({ pod, reason: DayFileMissing.dayNotOver }));
      return read;
    }
    const queue = this.#queueOf(concentratorId);
    await Promise.all(
      request.pods.map(async (pod) => {
        const meter = this.#meters.get(pod);
        if (!meter || meter.site.concentratorId !== concentratorId) {
          read.missing.push({ pod, reason: DayFileMissing.unknownMeter });
          return;
        }
        const { file, seconds } = await queue.enqueue(async () => {
          const startedMs = this.#scheduler.now();
          const file = await this.#readDay(meter, day);
          return { file, seconds: (this.#scheduler.now() - startedMs) / 1000 };
        }, 'read');
        read.linkSeconds += seconds;
        if (file) read.files.push(file);
        else read.missing.push({ pod, reason: DayFileMissing.noAnswer });
      }),
    );
    read.files.sort((a, b) => (a.pod < b.pod ? -1 : 1));
    read.missing.sort((a, b) => (a.pod < b.pod ? -1 : 1));
    read.substation = this.#substationDay(concentratorId, day);
    return read;
  }

  /**
   * The substation meter of the concentrator (read at the substation, not over the power line): what every meter
   * of it really drew and injected, with the LV network's losses. Undefined when its meters no longer keep the day.
   */
  #substationDay(concentratorId: string, day: string): SubstationDayFile | undefined {
    const members = this.#queueOf(concentratorId).members;
    if (members.length === 0) return undefined;
    try {
      const loads = members.map((meter) => meter.trueDay(day));
      return substationDayFile(concentratorId, day, [], loads, { seed: this.options.seed });
    } catch (error) {
      if (error instanceof RangeError) return undefined; // a meter no longer keeps the day
      throw error;
    }
  }

  /** One meter's day file over the link: attempts like a command's; undefined when it never came. */
  async #readDay(meter: SimulatedMeter, day: string): Promise<MeterDayFile | undefined> {
    const { maxAttempts, backoffMs } = this.options;
    const answers = meter.answersDailyReadOf(day, romeDay(new Date(this.#scheduler.now())));
    const file = meter.dayFile(day);
    const { downMs, upMs } = dailyReadTiming(dayFileAnswerBytes(file), this.options);
    const random = this.#queueOf(meter.site.concentratorId).random;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const fate = answers ? this.#fateOf(meter.site.pod, random) : 'no_route';
      await this.#scheduler.sleep(downMs + upMs);
      if (fate === 'answered') return file;
      if (attempt < maxAttempts) await this.#scheduler.sleep(backoffMs * 2 ** (attempt - 1));
    }
    return undefined;
  }

  /** Whether a meter with this POD is registered (cheaper than `meterState`, which copies the state). */
  hasMeter(pod: Pod): boolean {
    return this.#meters.has(pod);
  }

  /** A copy of the meter's state, without its DU key; undefined for an unknown POD. */
  meterState(pod: Pod): FieldMeterState | undefined {
    const meter = this.#meters.get(pod);
    return meter && { ...meter.state(), reachable: this.#isReachable(pod) };
  }

  /**
   * The simulated meter's SECRET: the DU key it was programmed with over Chain 1, which it uses to encrypt its
   * Chain 2 frames. Only for the Chain 2 emitter that plays this meter; never log it, never return it to an API.
   */
  chain2KeyOf(pod: Pod): DuKey | undefined {
    return this.#meters.get(pod)?.chain2Key();
  }

  /**
   * Starts a meter as already holding a Chain 2 configuration, without Chain 1 traffic: the meters of an in-process
   * network live in memory, so a restarted platform restores them from the head-end's inventory (active associations).
   */
  restoreChain2(site: NetworkSite, macAddress: MacAddress, key: DuKey): void {
    if (!this.#meters.has(site.pod)) this.registerMeters([site]);
    this.#meters
      .get(site.pod)
      ?.receive(
        `restore:${site.pod}`,
        { kind: 'program_chain2', macAddress, encryptionKey: key },
        this.#scheduler.now(),
      );
  }

  /** The simulated time now, ms since the epoch (runs `timeScale` times faster than the wall clock). */
  now(): number {
    return this.#scheduler.now();
  }

  /**
   * The meters that hold a Chain 2 configuration (SECRET: their DU keys), for the Chain 2 transmitter that plays these
   * meters' side of the power line (sim/meter-fleet). Never log them, never return them to an API.
   */
  *programmedMeters(): Iterable<SimulatedMeter> {
    for (const meter of this.#meters.values()) if (meter.chain2Configuration()) yield meter;
  }

  /** The registers as the meter itself holds them now, without Chain 1 traffic (for the Chain 2 emitter). */
  registersOf(pod: Pod): MeterRegisters | undefined {
    return this.#meters.get(pod)?.registers(this.#scheduler.now());
  }

  /** Commands waiting for a concentrator, the one in progress included; 0 for an unknown concentrator. */
  queueDepth(concentratorId: string): number {
    return this.#concentrators.get(concentratorId)?.depth ?? 0;
  }

  /** Every concentrator with its number of meters and queue depth, in registration order. */
  concentrators(): { concentratorId: string; meters: number; queueDepth: number }[] {
    return [...this.#concentrators].map(([concentratorId, queue]) => ({
      concentratorId,
      meters: queue.members.length,
      queueDepth: queue.depth,
    }));
  }

  counters(): FieldNetworkCounters {
    return { ...this.#counters, failedByReason: { ...this.#counters.failedByReason } };
  }

  /** Cuts a meter off the network (no route: every attempt goes unanswered) or brings it back. */
  setReachable(pod: Pod, reachable: boolean): void {
    if (!this.#meters.has(pod)) throw new Error(`no meter registered for ${pod}`);
    this.#reachabilityOverrides.set(pod, reachable);
  }

  async #deliver(addressed: AddressedCommand, meter: SimulatedMeter): Promise<CommandOutcome> {
    const { maxAttempts, backoffMs } = this.options;
    const { downMs, upMs } = attemptTiming(addressed.command, this.options);
    const random = this.#queueOf(meter.site.concentratorId).random;
    let fate: AttemptFate = 'no_route';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.#counters.attempts++;
      if (attempt > 1) this.#counters.retried++;
      fate = this.#fateOf(addressed.pod, random);
      await this.#scheduler.sleep(downMs);
      let answer: MeterAnswer | undefined;
      if (fate === 'answered' || fate === 'answer_lost') {
        answer = meter.receive(addressed.commandId, addressed.command, this.#scheduler.now());
      }
      await this.#scheduler.sleep(upMs);
      if (fate === 'answered' && answer) return this.#answered(addressed, attempt, answer);
      if (attempt < maxAttempts) await this.#scheduler.sleep(backoffMs * 2 ** (attempt - 1));
    }
    return fate === 'no_route'
      ? this.#failed(
          addressed,
          maxAttempts,
          CommandFailure.meterUnreachable,
          `no answer from the meter after ${maxAttempts} attempts: no route on concentrator ${meter.site.concentratorId}`,
        )
      : this.#failed(
          addressed,
          maxAttempts,
          CommandFailure.linkTimeout,
          `no answer after ${maxAttempts} attempts on concentrator ${meter.site.concentratorId}`,
        );
  }

  #fateOf(pod: Pod, random: () => number): AttemptFate {
    if (!this.#isReachable(pod)) return 'no_route';
    // Both draws are always made, so a concentrator's random stream does not depend on its outcomes.
    const lost = random() < this.options.lossRate;
    const answerSide = random() < 0.5;
    if (!lost) return 'answered';
    return answerSide ? 'answer_lost' : 'request_lost';
  }

  #answered(addressed: AddressedCommand, attempts: number, answer: MeterAnswer): CommandOutcome {
    if (!answer.accepted) return this.#failed(addressed, attempts, CommandFailure.rejectedByMeter, answer.detail);
    this.#counters.done++;
    const completedAt = new Date(this.#scheduler.now());
    this.#logger?.debug(logFields(addressed, attempts), 'meter command done');
    return answer.registers
      ? { status: 'done', attempts, completedAt, registers: answer.registers }
      : { status: 'done', attempts, completedAt };
  }

  #failed(addressed: AddressedCommand, attempts: number, reason: CommandFailure, detail: string): CommandOutcome {
    this.#counters.failed++;
    this.#counters.failedByReason[reason]++;
    this.#logger?.warn({ ...logFields(addressed, attempts), reason }, 'meter command failed');
    return { status: 'failed', attempts, completedAt: new Date(this.#scheduler.now()), reason, detail };
  }

  #isReachable(pod: Pod): boolean {
    return (
      this.#reachabilityOverrides.get(pod) ??
      seededFraction(this.options.seed, `unreachable:${pod}`) >= this.options.unreachableRate
    );
  }

  #queueOf(concentratorId: string): ConcentratorQueue {
    let queue = this.#concentrators.get(concentratorId);
    if (!queue) {
      queue = new ConcentratorQueue(seededRandom(derivedSeed(this.options.seed, `loss:${concentratorId}`)));
      this.#concentrators.set(concentratorId, queue);
    }
    return queue;
  }
}

/**
 * One concentrator's FIFO: one command at a time. Each concentrator draws losses from its own random stream, so
 * its losses do not depend on how its work interleaves with other concentrators'.
 */
class ConcentratorQueue {
  /** The concentrator's meters, in registration order. */
  readonly members: SimulatedMeter[] = [];
  /** Commands wait here, and go before any daily read still waiting (an operator's command is not held by a read). */
  #commands: (() => Promise<void>)[] = [];
  /** Daily reads, one meter's day file per item, so commands slip in between two meters. */
  #reads: (() => Promise<void>)[] = [];
  #busy = false;

  constructor(readonly random: () => number) {}

  get depth(): number {
    return this.#commands.length + this.#reads.length + (this.#busy ? 1 : 0);
  }

  enqueue<T>(work: () => Promise<T>, lane: 'command' | 'read' = 'command'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (lane === 'command' ? this.#commands : this.#reads).push(() => work().then(resolve, reject));
      if (!this.#busy) void this.#serve();
    });
  }

  async #serve(): Promise<void> {
    this.#busy = true;
    for (let job = this.#next(); job; job = this.#next()) await job();
    this.#busy = false;
  }

  #next(): (() => Promise<void>) | undefined {
    return this.#commands.shift() ?? this.#reads.shift();
  }
}

function logFields(addressed: AddressedCommand, attempts: number): object {
  return { pod: addressed.pod, commandId: addressed.commandId, kind: addressed.command.kind, attempts };
}

function defaultScheduler(timeScale: number): Scheduler {
  return timeScale === Infinity ? new VirtualScheduler({ startMs: Date.now() }) : acceleratedScheduler({ timeScale });
}

function definedOnly(overrides: Partial<FieldNetworkOptions>): Partial<FieldNetworkOptions> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}

/** Wrong options are a configuration defect: every problem is reported at once. */
function validOptions(options: FieldNetworkOptions): FieldNetworkOptions {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => ok || problems.push(message);
  check(options.bitRate > 0, `bitRate must be > 0 bit/s (Infinity for no transmission time), got ${options.bitRate}`);
  check(
    Number.isFinite(options.latencyMs) && options.latencyMs >= 0,
    `latencyMs must be ≥ 0, got ${options.latencyMs}`,
  );
  check(options.lossRate >= 0 && options.lossRate <= 1, `lossRate must be in 0..1, got ${options.lossRate}`);
  check(
    options.unreachableRate >= 0 && options.unreachableRate <= 1,
    `unreachableRate must be in 0..1, got ${options.unreachableRate}`,
  );
  check(
    Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1,
    `maxAttempts must be an integer ≥ 1, got ${options.maxAttempts}`,
  );
  check(
    Number.isFinite(options.backoffMs) && options.backoffMs >= 0,
    `backoffMs must be ≥ 0, got ${options.backoffMs}`,
  );
  check(options.timeScale > 0, `timeScale must be > 0 (Infinity for no real waiting), got ${options.timeScale}`);
  check(Number.isFinite(options.seed), `seed must be a number, got ${options.seed}`);
  if (problems.length > 0) throw new Error(`invalid field network options: ${problems.join('; ')}`);
  return options;
}
