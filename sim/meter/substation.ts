/**
 * A concentrator's substation: its outages (every meter behind it off at once) and its own meter on the LV side of
 * the MV/LV transformer, whose curve is what really left the transformer — the meters' true withdrawals minus
 * their injections, plus technical losses — so an energy balance finds the losses, technical and not.
 */
import { DAY_CHANNELS, type MeterDayFile, type SubstationDayFile } from '../../src/domain/day-file.js';
import { derivedSeed } from '../../src/telemanagement/seeded-random.js';
import { hash32, unitHash } from '../meter-emitter/seeded-hash.js';

export interface SubstationOutage {
  fromMs: number;
  toMs: number;
}

/** Technical losses of the LV network, as a share of the energy delivered: drawn per concentrator in this range. */
export const TECHNICAL_LOSS_RANGE = [0.02, 0.05] as const;

/**
 * The outages of a concentrator's substation on a local day (0 or 1; `rate` per concentrator-day), 10 min to 3 h,
 * starting at a seeded minute of the day. Every meter of the concentrator computes the same list.
 */
export function substationOutagesOn(
  concentratorId: string,
  dayStartMs: number,
  dayKey: number,
  seed: number,
  rate: number,
): SubstationOutage[] {
  if (rate <= 0) return [];
  const stream = derivedSeed(seed >>> 0, `substation-outage:${concentratorId}`);
  if (unitHash(stream, dayKey) >= rate) return [];
  const fromMs = dayStartMs + Math.floor(unitHash(hash32(stream, 1), dayKey) * 1_380) * 60_000;
  const minutes = 10 + Math.floor(unitHash(hash32(stream, 2), dayKey) * 170);
  return [{ fromMs, toMs: fromMs + minutes * 60_000 }];
}

/** The technical-loss share of a concentrator's LV network (seeded, in `TECHNICAL_LOSS_RANGE`). */
export function technicalLossShare(concentratorId: string, seed: number): number {
  const [low, high] = TECHNICAL_LOSS_RANGE;
  return low + (high - low) * unitHash(derivedSeed(seed >>> 0, `technical-loss:${concentratorId}`), 0);
}

/** What a supply point really drew and injected per quarter-hour, Wh (`SimulatedMeter.trueDay`). */
export interface TrueDayLoad {
  pod: string;
  importWh: ArrayLike<number>;
  exportWh: ArrayLike<number>;
}

export interface SubstationOptions {
  /** The field network's seed (technical-loss share per concentrator). */
  seed: number;
  /** Overrides the seeded technical-loss share (0.03 = 3 %). */
  technicalLossShare?: number;
}

/**
 * The substation meter's day: per quarter-hour, Σ (true import − true export) of its meters × (1 + technical
 * losses), rounded to Wh. A meter with a true load in `trueLoads` counts with it; one that only has a day file
 * counts with its recorded A+ and A− (a meter with a non-technical loss must be given by its true load, or the
 * loss disappears). Reverse flow (more PV than load) gives a negative value: the loss still adds to what the
 * transformer sees, so it is subtracted less. During a substation outage every meter is off, so the sum is 0.
 */
export function substationDayFile(
  concentratorId: string,
  day: string,
  meterFiles: readonly MeterDayFile[],
  trueLoads: readonly TrueDayLoad[],
  options: SubstationOptions,
): SubstationDayFile {
  const intervals = meterFiles[0]?.intervals ?? trueLoads[0]?.importWh.length ?? 96;
  const net = new Float64Array(intervals);
  const counted = new Set<string>();
  const add = (pod: string, importWh: ArrayLike<number>, exportWh: ArrayLike<number>) => {
    if (counted.has(pod)) return;
    if (importWh.length !== intervals || exportWh.length !== intervals)
      throw new RangeError(`${pod}: ${importWh.length} intervals on ${day}, the substation has ${intervals}`);
    counted.add(pod);
    for (let i = 0; i < intervals; i++) net[i] = net[i]! + importWh[i]! - exportWh[i]!;
  };
  for (const load of trueLoads) add(load.pod, load.importWh, load.exportWh);
  for (const file of meterFiles) {
    if (file.day !== day) throw new RangeError(`${file.pod}: a file of ${file.day}, not ${day}`);
    add(file.pod, file.channels[DAY_CHANNELS[0]], file.channels[DAY_CHANNELS[1]]);
  }
  const loss = options.technicalLossShare ?? technicalLossShare(concentratorId, options.seed);
  const activeWh = Array.from(net, (wh) => Math.round(wh + loss * Math.abs(wh)));
  return { concentratorId, day, intervals, activeWh };
}
