/**
 * The meters' side of Chain 2 for a whole field network: every meter that holds a Chain 2 configuration written
 * over Chain 1 gives its frames (`SimulatedMeter.advanceTo`: the meter integrates its own energy and builds its
 * own frames), sealed here under the key telemanagement wrote, onto the power line (sim/power-line) addressed to the
 * DU's MAC. A meter whose configuration is cleared falls silent; a meter given a new key seals with it from its
 * next frame, so a DU holding the old key refuses them.
 */
import { deriveSystemTitle, FrameSealer, parseDuKey } from '../../src/codec/index.js';
import { romeLocalParts, type LocalDate } from '../../src/domain/tariff-bands.js';
import { dayKeyOf, meterTimestampOf } from '../du-emulator/index.js';
import type { SimulatedMeter } from '../meter/simulated-meter.js';
import type { PowerLineMedium } from '../power-line/index.js';

/**
 * What the fleet needs of the field network: its simulated clock (ms) and the meters that hold a Chain 2
 * configuration now (the field-network simulator provides it; a meter listed without one is skipped).
 */
export interface Chain2Network {
  now(): number;
  programmedMeters(): Iterable<SimulatedMeter>;
}

export interface MeterFleetOptions {
  network: Chain2Network;
  medium: PowerLineMedium;
  /**
   * Told when a meter starts sending, or its DU's MAC or key changes, before that meter's frames of the step go out
   * (the demo installs or updates its emulated DU there). SECRET: the key.
   */
  onProgrammed?: (meter: { pod: string; macAddress: string; key: string }) => void;
}

const COUNTER_EPOCH_MS = Date.UTC(2020, 0, 1);

interface Transmitter {
  sealer: FrameSealer;
  macAddress: string;
  key: string;
  meterSerial: string;
}

export class MeterFleet {
  readonly #options: MeterFleetOptions;
  readonly #transmitters = new Map<string, Transmitter>();
  /** Next frame counter per POD, kept when a meter falls silent: a nonce is never used twice under one key. */
  readonly #nextFrameCounters = new Map<string, number>();
  /** `POD|YYYY-MM-DD` (Europe/Rome, the frame's own timestamp) → frames sent: the meter-side KPI (CHAIN2.md §5). */
  readonly #sentByDay = new Map<string, number>();
  #framesSent = 0;

  constructor(options: MeterFleetOptions) {
    this.#options = options;
  }

  /**
   * Brings every programmed meter up to the network's simulated now and transmits the frames it gives meanwhile
   * (from the minute it was programmed: its registers go back to its installation, not to its programming).
   * Returns the frames transmitted.
   */
  step(): number {
    const nowMs = this.#options.network.now();
    const configured = new Set<string>();
    let sent = 0;
    for (const meter of this.#options.network.programmedMeters()) {
      const config = meter.chain2Configuration();
      if (config === undefined) continue;
      const pod = config.pod;
      configured.add(pod);
      let transmitter = this.#transmitters.get(pod);
      if (transmitter === undefined) {
        transmitter = {
          sealer: sealerFor(config.meterSerial, config.key, this.#firstFrameCounter(pod, nowMs)),
          macAddress: config.macAddress,
          key: config.key,
          meterSerial: config.meterSerial,
        };
        this.#transmitters.set(pod, transmitter);
        this.#options.onProgrammed?.(config);
      } else if (
        transmitter.key !== config.key ||
        transmitter.macAddress !== config.macAddress ||
        transmitter.meterSerial !== config.meterSerial
      ) {
        // Reprogrammed, or a new meter in place of the old one (another DataPlate, so another system title): the
        // frame counter goes on (a nonce is never reused under any key).
        const reprogrammed = transmitter.key !== config.key || transmitter.macAddress !== config.macAddress;
        transmitter.sealer = sealerFor(config.meterSerial, config.key, transmitter.sealer.nextFrameCounter);
        transmitter.key = config.key;
        transmitter.macAddress = config.macAddress;
        transmitter.meterSerial = config.meterSerial;
        if (reprogrammed) this.#options.onProgrammed?.(config);
      }
      for (const frame of meter.advanceTo(nowMs)) {
        this.#options.medium.transmit(transmitter.macAddress, transmitter.sealer.seal(frame));
        const day = `${pod}|${dayOf(meterTimestampOf(frame))}`;
        this.#sentByDay.set(day, (this.#sentByDay.get(day) ?? 0) + 1);
        sent++;
      }
    }
    for (const [pod, transmitter] of this.#transmitters) {
      if (configured.has(pod)) continue;
      this.#nextFrameCounters.set(pod, transmitter.sealer.nextFrameCounter); // cleared: silent, its counter kept
      this.#transmitters.delete(pod);
    }
    this.#framesSent += sent;
    return sent;
  }

  /**
   * Frame counters never go back, so no nonce is used twice under one key: after a clear, the meter's own next
   * counter; in a fresh process (its counters forgotten), the simulated seconds since 2020, which stay ahead of the
   * ≈ 125 frames a meter sends a day.
   */
  #firstFrameCounter(pod: string, nowMs: number): number {
    return Math.max(this.#nextFrameCounters.get(pod) ?? 0, Math.floor((nowMs - COUNTER_EPOCH_MS) / 1000));
  }

  /** Frames a meter sent on a day (Europe/Rome date of each frame's own timestamp), lost ones included. */
  framesSentOn(pod: string, date: LocalDate): number {
    return this.#sentByDay.get(`${pod}|${dayKeyOf(date)}`) ?? 0;
  }

  /** Every meter's frames sent on a day, as the fleet transmitted them (the meters' day files count the same). */
  sentOn(date: string | LocalDate): { pod: string; sent: number }[] {
    const suffix = `|${dayKeyOf(date)}`;
    const counts: { pod: string; sent: number }[] = [];
    for (const [key, sent] of this.#sentByDay)
      if (key.endsWith(suffix)) counts.push({ pod: key.slice(0, -suffix.length), sent });
    return counts;
  }

  get framesSent(): number {
    return this.#framesSent;
  }

  /** Meters emitting now. */
  get transmitting(): number {
    return this.#transmitters.size;
  }
}

function sealerFor(meterSerial: string, key: string, nextFrameCounter: number): FrameSealer {
  return new FrameSealer({ key: parseDuKey(key), systemTitle: deriveSystemTitle(meterSerial), nextFrameCounter });
}

function dayOf(posixSeconds: number): string {
  return dayKeyOf(romeLocalParts(new Date(posixSeconds * 1000)));
}
