/**
 * The meters' side of Chain 2 for a whole field network: every meter that holds a Chain 2 configuration written
 * over Chain 1 emits its frames (sim/meter-emitter), sealed under the key telemanagement wrote, onto the power line
 * (sim/power-line) addressed to the DU's MAC. A meter whose configuration is cleared falls silent; a meter given a
 * new key seals with it from its next frame, so a DU holding the old key refuses them.
 */
import { deriveSystemTitle, FrameSealer, parseDuKey } from '../../src/codec/index.js';
import { romeLocalParts, type LocalDate } from '../../src/domain/tariff-bands.js';
import type { FieldNetworkSimulator } from '../../src/telemanagement/field-network.simulator.js';
import { dayKeyOf, meterTimestampOf } from '../du-emulator/index.js';
import { MeterEmitter } from '../meter-emitter/index.js';
import type { PowerLineMedium } from '../power-line/index.js';

/** What the fleet needs of the field network: its simulated clock and the meters' Chain 2 configurations. */
export type Chain2Network = Pick<FieldNetworkSimulator, 'now' | 'chain2Configurations'>;

export interface MeterFleetOptions {
  network: Chain2Network;
  medium: PowerLineMedium;
  /** Seeds the households' load profiles (with each POD). */
  seed: number;
  /**
   * Told when a meter starts sending, or its DU's MAC or key changes, before that meter's frames of the step go out
   * (the demo installs or updates its emulated DU there). SECRET: the key.
   */
  onProgrammed?: (meter: { pod: string; macAddress: string; key: string }) => void;
}

const COUNTER_EPOCH_MS = Date.UTC(2020, 0, 1);

interface TransmittingMeter {
  emitter: MeterEmitter;
  sealer: FrameSealer;
  macAddress: string;
  key: string;
}

export class MeterFleet {
  readonly #options: MeterFleetOptions;
  readonly #meters = new Map<string, TransmittingMeter>();
  /** Next frame counter per POD, kept when a meter falls silent: a nonce is never used twice under one key. */
  readonly #nextFrameCounters = new Map<string, number>();
  /** `POD|YYYY-MM-DD` (Europe/Rome, the frame's own timestamp) → frames sent: the meter-side KPI (CHAIN2.md §5). */
  readonly #sentByDay = new Map<string, number>();
  #framesSent = 0;

  constructor(options: MeterFleetOptions) {
    this.#options = options;
  }

  /**
   * Brings every configured meter up to the network's simulated now and transmits the frames due meanwhile.
   * A meter programmed since the last step starts emitting from now (its registers start at zero: a simplification,
   * the real meter's registers predate its Chain 2 configuration). Returns the frames transmitted.
   */
  step(): number {
    const now = new Date(this.#options.network.now());
    const configured = new Set<string>();
    let sent = 0;
    for (const config of this.#options.network.chain2Configurations()) {
      configured.add(config.pod);
      let meter = this.#meters.get(config.pod);
      if (!meter) {
        meter = {
          emitter: new MeterEmitter({
            pod: config.pod,
            meterSerial: config.meterSerial,
            contractPowerW: config.contractPowerW,
            availablePowerW: config.availablePowerW,
            seed: this.#options.seed,
            startAt: now,
          }),
          sealer: sealerFor(config.meterSerial, config.key, this.#firstFrameCounter(config.pod, now)),
          macAddress: config.macAddress,
          key: config.key,
        };
        this.#meters.set(config.pod, meter);
        this.#options.onProgrammed?.(config);
      } else if (meter.key !== config.key || meter.macAddress !== config.macAddress) {
        // Reprogrammed: the frame counter goes on (a nonce is never reused under any key), the key is the new one.
        meter.sealer = sealerFor(config.meterSerial, config.key, meter.sealer.nextFrameCounter);
        meter.key = config.key;
        meter.macAddress = config.macAddress;
        this.#options.onProgrammed?.(config);
      }
      for (const frame of meter.emitter.advanceTo(now)) {
        this.#options.medium.transmit(meter.macAddress, meter.sealer.seal(frame));
        const day = `${config.pod}|${dayOf(meterTimestampOf(frame))}`;
        this.#sentByDay.set(day, (this.#sentByDay.get(day) ?? 0) + 1);
        sent++;
      }
    }
    for (const [pod, meter] of this.#meters) {
      if (configured.has(pod)) continue;
      this.#nextFrameCounters.set(pod, meter.sealer.nextFrameCounter); // cleared: silent, its counter kept
      this.#meters.delete(pod);
    }
    this.#framesSent += sent;
    return sent;
  }

  /**
   * Frame counters never go back, so no nonce is used twice under one key: after a clear, the meter's own next
   * counter; in a fresh process (its counters forgotten), the simulated seconds since 2020, which stay ahead of the
   * ≈ 125 frames a meter sends a day.
   */
  #firstFrameCounter(pod: string, now: Date): number {
    return Math.max(this.#nextFrameCounters.get(pod) ?? 0, Math.floor((now.getTime() - COUNTER_EPOCH_MS) / 1000));
  }

  /** Frames a meter sent on a day (Europe/Rome date of each frame's own timestamp), lost ones included. */
  framesSentOn(pod: string, date: LocalDate): number {
    return this.#sentByDay.get(`${pod}|${dayKeyOf(date)}`) ?? 0;
  }

  /** Every meter's frames sent on a day (what telemanagement collects from the meters' own counters). */
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
    return this.#meters.size;
  }
}

function sealerFor(meterSerial: string, key: string, nextFrameCounter: number): FrameSealer {
  return new FrameSealer({ key: parseDuKey(key), systemTitle: deriveSystemTitle(meterSerial), nextFrameCounter });
}

function dayOf(posixSeconds: number): string {
  return dayKeyOf(romeLocalParts(new Date(posixSeconds * 1000)));
}
