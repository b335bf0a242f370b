/**
 * The Chain 2 power line (PLC band C, CHAIN2.md §1) between meters and DUs, simulated: a meter transmits a sealed
 * frame addressed to the MAC of the DU it was programmed with, and every receiver attached for that MAC hears it,
 * unless the transmission is lost. Losses are drawn from a seeded PRNG, so a run is reproducible: the same seed and
 * the same sequence of transmissions lose the same frames. The medium never looks inside a frame (it has no key).
 */
import { parseMacAddress, type MacAddress } from '../../src/domain/identifiers.js';
import { seededRandom } from '../../src/telemanagement/seeded-random.js';

/** Receives one sealed frame. It gets its own copy; it must not throw (a throw is a defect and reaches the sender). */
export type FrameListener = (frame: Uint8Array) => void;

export interface PowerLineMediumOptions {
  /** Probability in [0, 1] that a transmission is lost. Default 0.01 (the ≈99 % of the 2018 pilot, CHAIN2.md §5). */
  lossRate?: number;
  /** Seed of the loss draws (uint32). Default 1. */
  seed?: number;
}

/** transmitted = delivered + lost + noListener, always. */
export interface PowerLineCounters {
  transmitted: number;
  /** Heard by at least one listener (counted once per transmission, however many listened). */
  delivered: number;
  lost: number;
  /** Not lost, but nobody was attached for the MAC (a DU switched off or not installed). */
  noListener: number;
}

export const DEFAULT_LOSS_RATE = 0.01;
const DEFAULT_SEED = 1;

export class PowerLineMedium {
  readonly lossRate: number;
  readonly #random: () => number;
  readonly #listeners = new Map<MacAddress, Set<FrameListener>>();
  readonly #counters: PowerLineCounters = { transmitted: 0, delivered: 0, lost: 0, noListener: 0 };

  constructor(options: PowerLineMediumOptions = {}) {
    const lossRate = options.lossRate ?? DEFAULT_LOSS_RATE;
    if (typeof lossRate !== 'number' || !(lossRate >= 0 && lossRate <= 1)) {
      throw new RangeError(`PowerLineMedium: lossRate must be a number in [0, 1], got ${String(lossRate)}`);
    }
    const seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
      throw new RangeError(`PowerLineMedium: seed must be an integer in 0..4294967295, got ${String(seed)}`);
    }
    this.lossRate = lossRate;
    this.#random = seededRandom(seed);
  }

  /**
   * Sends `frame` to every listener attached for `macAddress`; true when it was delivered. One loss draw per call,
   * made before looking at the listeners, so the loss pattern depends only on the seed and the order of calls.
   */
  transmit(macAddress: string, frame: Uint8Array): boolean {
    const mac = normaliseMacAddress(macAddress);
    if (!(frame instanceof Uint8Array)) throw new TypeError('PowerLineMedium.transmit: frame must be a Uint8Array');
    this.#counters.transmitted++;
    if (this.#random() < this.lossRate) {
      this.#counters.lost++;
      return false;
    }
    const listeners = this.#listeners.get(mac);
    if (listeners === undefined || listeners.size === 0) {
      this.#counters.noListener++;
      return false;
    }
    this.#counters.delivered++;
    notifyAll([...listeners], frame);
    return true;
  }

  /** Listens for frames addressed to `macAddress`; returns the function that stops listening (idempotent). */
  attach(macAddress: string, listener: FrameListener): () => void {
    const mac = normaliseMacAddress(macAddress);
    if (typeof listener !== 'function') throw new TypeError('PowerLineMedium.attach: listener must be a function');
    let listeners = this.#listeners.get(mac);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(mac, listeners);
    }
    // A wrapper per attach, so attaching the same function twice gives two independent listeners.
    const entry: FrameListener = (frame) => listener(frame);
    listeners.add(entry);
    return () => {
      const current = this.#listeners.get(mac);
      if (current?.delete(entry) && current.size === 0) this.#listeners.delete(mac);
    };
  }

  listenerCount(macAddress: string): number {
    return this.#listeners.get(normaliseMacAddress(macAddress))?.size ?? 0;
  }

  /** A snapshot of the counters. */
  get counters(): PowerLineCounters {
    return { ...this.#counters };
  }
}

/** CHAIN2.md §2: `DC` + 10 hex digits; lowercase and `:`/`-` separators accepted. Throws a RangeError naming the rule. */
export function normaliseMacAddress(macAddress: string): MacAddress {
  const parsed = parseMacAddress(macAddress, 'macAddress');
  if (!parsed.ok) throw new RangeError(parsed.issue.message);
  return parsed.value;
}

/** Every listener gets its copy even when an earlier one throws; the errors then reach the caller together. */
function notifyAll(listeners: readonly FrameListener[], frame: Uint8Array): void {
  const errors: unknown[] = [];
  for (const listener of listeners) {
    try {
      listener(Uint8Array.from(frame));
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} power-line listeners failed`);
}
