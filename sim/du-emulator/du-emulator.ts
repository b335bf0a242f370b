/**
 * A user device (DU) as a DU maker would write it on top of the Chain 2 codec: opens the frames its meter sends
 * under the DU's key, counts them per day on the meter's own timestamps (the monitoring KPI, CHAIN2.md §5), counts
 * what it refuses by codec error code, and hands every accepted frame on as a `Chain2Data` envelope (§4).
 * Hostile bytes never make `receive` throw. The key lives only inside the codec's FrameOpener: no field, log line,
 * JSON or inspection of this object shows it.
 */
import {
  FrameOpener,
  TIME_ZONE,
  formatEnvelopeTs,
  isCodecError,
  parseDuKey,
  toChain2Json,
  type Chain2Json,
  type CodecErrorCode,
  type Frame,
  type FrameType,
} from '../../src/codec/index.js';
import { parseMacAddress, parsePod, type MacAddress, type Pod } from '../../src/domain/identifiers.js';
import { romeLocalParts, type LocalDate } from '../../src/domain/tariff-bands.js';

export interface DuEmulatorOptions {
  /** The DU's identifier, `Chain2Data.Id`: 1–64 of `A–Z a–z 0–9 . _ : -` (safe in URLs and MQTT topics). */
  id: string;
  pod: string;
  macAddress: string;
  /** 32 hex digits (AES-128). Copied into the codec's opener and never kept here. */
  key: string;
  /** Replay state from a previous run (`lastFrameCounters()`), so a restarted DU does not reopen old frames. */
  lastFrameCounters?: Readonly<Record<string, number>>;
  /** The DU's own clock, for `Ts` (when it received a frame). Default: the system clock. */
  now?: () => Date;
}

/** What the server sends a client that asked with `!` (CHAIN2.md §4). Fields beyond Id and Ip: see README.md. */
export interface Chain2InfoJson {
  Chain2Info: {
    Id: string;
    Ip: string;
    Mac: MacAddress;
    /** The POD with its 8 digits masked but the last 4: `IT001E****5678`. */
    Pod: string;
    ProgId: string;
    FwVersion: string;
    /** Frames accepted since the emulator started. */
    CFcountFromBoot: number;
  };
}

export type ReceiveOutcome =
  { accepted: true; message: Chain2Json; frameCounter: number } | { accepted: false; code: CodecErrorCode };

export type Chain2DataListener = (message: Chain2Json) => void;

export const FIRMWARE_VERSION = 'emulator';
export const PROG_ID = 'chain2-du-emulator';
const DU_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export class DuEmulator {
  readonly id: string;
  readonly pod: Pod;
  readonly macAddress: MacAddress;
  #opener: FrameOpener;
  readonly #now: () => Date;
  readonly #listeners = new Set<Chain2DataListener>();
  /** 'YYYY-MM-DD' (Europe/Rome, meter timestamp) → frame type → frames accepted. */
  readonly #receivedByDay = new Map<string, Map<FrameType, number>>();
  readonly #rejectedByCode = new Map<CodecErrorCode, number>();
  #accepted = 0;

  constructor(options: DuEmulatorOptions) {
    const problems: string[] = [];
    if (typeof options.id !== 'string' || !DU_ID.test(options.id))
      problems.push('id must be 1-64 of A-Z a-z 0-9 . _ : -');
    const pod = parsePod(options.pod, 'pod');
    if (!pod.ok) problems.push(pod.issue.message);
    const mac = parseMacAddress(options.macAddress, 'macAddress');
    if (!mac.ok) problems.push(mac.issue.message);
    let opener: FrameOpener | undefined;
    try {
      opener = new FrameOpener({ key: parseDuKey(options.key), lastFrameCounters: options.lastFrameCounters });
    } catch (error) {
      // The codec's messages name the field ('key', 'lastFrameCounters.<title>') and never echo a key.
      problems.push((error as Error).message);
    }
    if (problems.length > 0 || !pod.ok || !mac.ok || opener === undefined) {
      throw new RangeError(`DuEmulator: ${problems.join('; ')}`);
    }
    this.id = options.id;
    this.pod = pod.value;
    this.macAddress = mac.value;
    this.#opener = opener;
    this.#now = options.now ?? (() => new Date());
  }

  /** Opens one sealed frame. Never throws for bad input: a refused frame is counted under its codec error code. */
  receive(bytes: Uint8Array): ReceiveOutcome {
    let opened;
    try {
      opened = this.#opener.open(bytes);
    } catch (error) {
      if (!isCodecError(error)) throw error; // the codec promises only its own errors: anything else is a defect
      this.#rejectedByCode.set(error.code, (this.#rejectedByCode.get(error.code) ?? 0) + 1);
      return { accepted: false, code: error.code };
    }
    const { frame, frameCounter } = opened;
    this.#accepted++;
    this.#countOnMeterDay(frame);
    const message = toChain2Json({ duId: this.id, ts: formatEnvelopeTs(this.#now()), frame });
    this.#notify(message);
    return { accepted: true, message, frameCounter };
  }

  /** Calls `listener` with every accepted frame; returns the function that stops it. */
  subscribe(listener: Chain2DataListener): () => void {
    const entry: Chain2DataListener = (message) => listener(message);
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  /**
   * Frames accepted whose meter timestamp falls on `date` in Europe/Rome ('YYYY-MM-DD' or a LocalDate), of one type
   * or all. The meter's timestamp, not the DU's clock: a frame of 23:59:50 received after midnight counts for the
   * day it was measured, as the meter counts it sent (CHAIN2.md §5).
   */
  framesReceivedOn(date: string | LocalDate, type?: FrameType): number {
    const byType = this.#receivedByDay.get(dayKeyOf(date));
    if (byType === undefined) return 0;
    if (type !== undefined) return byType.get(type) ?? 0;
    let total = 0;
    for (const count of byType.values()) total += count;
    return total;
  }

  /** Every (day, type) count, days ascending: what a DU would report as its daily KPI. */
  dailyCounts(): { date: string; type: FrameType; count: number }[] {
    const rows: { date: string; type: FrameType; count: number }[] = [];
    for (const date of [...this.#receivedByDay.keys()].sort()) {
      for (const [type, count] of this.#receivedByDay.get(date)!) rows.push({ date, type, count });
    }
    return rows;
  }

  get framesAccepted(): number {
    return this.#accepted;
  }

  /** Frames refused, per codec error code (`authentication_failed`, `replayed`, `malformed`, …). */
  rejections(): Partial<Record<CodecErrorCode, number>> {
    return Object.fromEntries(this.#rejectedByCode) as Partial<Record<CodecErrorCode, number>>;
  }

  get framesRejected(): number {
    let total = 0;
    for (const count of this.#rejectedByCode.values()) total += count;
    return total;
  }

  /**
   * The DU was given a new key (the asset provider modified the association). Replay state starts again: replay
   * protection is per key, and old-key frames now fail authentication anyway.
   */
  changeKey(key: string): void {
    try {
      this.#opener = new FrameOpener({ key: parseDuKey(key) });
    } catch (error) {
      throw new RangeError(`DuEmulator ${this.id}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Replay state to persist across restarts (last accepted frame counter per meter system title). */
  lastFrameCounters(): Record<string, number> {
    return this.#opener.lastFrameCounters();
  }

  /** The answer to `!`; `ip` is the address the client reached the DU on. */
  info(ip: string): Chain2InfoJson {
    return {
      Chain2Info: {
        Id: this.id,
        Ip: ip,
        Mac: this.macAddress,
        Pod: maskPod(this.pod),
        ProgId: PROG_ID,
        FwVersion: FIRMWARE_VERSION,
        CFcountFromBoot: this.#accepted,
      },
    };
  }

  /** What JSON.stringify and logs see: identity and counters, never the key. */
  toJSON(): {
    id: string;
    pod: string;
    macAddress: string;
    framesAccepted: number;
    rejections: Partial<Record<CodecErrorCode, number>>;
  } {
    return {
      id: this.id,
      pod: this.pod,
      macAddress: this.macAddress,
      framesAccepted: this.#accepted,
      rejections: this.rejections(),
    };
  }

  #countOnMeterDay(frame: Frame): void {
    const day = dayKeyOf(romeLocalParts(new Date(meterTimestampOf(frame) * 1000)));
    let byType = this.#receivedByDay.get(day);
    if (byType === undefined) {
      byType = new Map();
      this.#receivedByDay.set(day, byType);
    }
    byType.set(frame.type, (byType.get(frame.type) ?? 0) + 1);
  }

  /** Every subscriber gets the frame even if an earlier one throws; their errors then reach the caller together. */
  #notify(message: Chain2Json): void {
    const errors: unknown[] = [];
    for (const listener of [...this.#listeners]) {
      try {
        listener(message);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${errors.length} Chain2Data subscribers of DU ${this.id} failed`);
  }
}

/** Periodic frames carry `MeasurePosixTimestamp`, event frames `EventPosixTimestamp` (POSIX s, codec layout). */
export function meterTimestampOf(frame: Frame): number {
  const payload = frame.payload as Record<string, string | number>;
  const at = payload.MeasurePosixTimestamp ?? payload.EventPosixTimestamp;
  if (typeof at !== 'number') throw new Error(`frame ${frame.type} has no meter timestamp`); // every codec layout has one
  return at;
}

/** 'YYYY-MM-DD' of a local date (a string must already be one). */
export function dayKeyOf(date: string | LocalDate): string {
  if (typeof date === 'string') {
    const match = LOCAL_DATE.exec(date);
    if (!match) throw new RangeError(`expected a date as YYYY-MM-DD (${TIME_ZONE}), got "${date}"`);
    return date;
  }
  const { year, month, day } = date;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `IT001E12345678` → `IT001E****5678`: enough to tell supplies apart on a screen, not to identify one. */
function maskPod(pod: Pod): string {
  return `${pod.slice(0, 6)}****${pod.slice(10)}`;
}
