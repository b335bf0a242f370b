/**
 * Field faults of simulated 2G meters, each with a rate and drawn from the seed (same seed, same faults on every
 * machine, whatever order meters and days are asked in). Defaults and why: docs/day-file.md "Faults".
 */

export interface FieldFaults {
  /** Per meter-day: the meter does not answer the daily read of that day on the first run(s). */
  noAnswerRate: number;
  /** The most days late such a meter answers (1 is the common case; above COLLECTION_MAX_DAYS_LATE it is lost). */
  maxDaysLate: number;
  /** Per meter-day: a run of 1–`maxGapIntervals` intervals missing from the curve (value 0, status `missing`). */
  gapRate: number;
  maxGapIntervals: number;
  /** Per meter-day: one interval of A+ multiplied by 10–50 in the curve (registers unaffected). */
  spikeRate: number;
  /** Per meter-day: one interval's values recorded again in the next interval's place (all channels). */
  duplicateRate: number;
  /** Share of meters whose clock drifts (0.5–5 s a day, either way); corrected once past `clockToleranceS`. */
  clockDriftShare: number;
  clockToleranceS: number;
  /** Per meter-day: the meter is replaced (registers restart at 0, new serial, event `meter_replaced`). */
  replacementRate: number;
  /** Per meter-day: one outage of this meter alone, 1 min to 4 h. */
  singleOutageRate: number;
  /** Per concentrator-day: an outage of the whole substation (every meter and the substation meter), 10 min to 3 h. */
  substationOutageRate: number;
  /** Share of supply points with a non-technical loss: the meter registers 40–80 % of what the load draws. */
  nonTechnicalLossShare: number;
}

export const DEFAULT_FIELD_FAULTS: Readonly<FieldFaults> = Object.freeze({
  noAnswerRate: 0.01,
  maxDaysLate: 10,
  gapRate: 0.005,
  maxGapIntervals: 16,
  spikeRate: 0.001,
  duplicateRate: 0.001,
  clockDriftShare: 0.02,
  clockToleranceS: 10,
  replacementRate: 0.0001,
  singleOutageRate: 0.003,
  substationOutageRate: 0.01,
  nonTechnicalLossShare: 0.01,
});

/** Every fault off: the meter is perfect (the invariant tests use this). */
export const NO_FIELD_FAULTS: Readonly<FieldFaults> = Object.freeze({
  ...DEFAULT_FIELD_FAULTS,
  noAnswerRate: 0,
  gapRate: 0,
  spikeRate: 0,
  duplicateRate: 0,
  clockDriftShare: 0,
  replacementRate: 0,
  singleOutageRate: 0,
  substationOutageRate: 0,
  nonTechnicalLossShare: 0,
});

/** Defaults with `given` over them; every rate checked to be in [0, 1]. */
export function fieldFaults(given: Partial<FieldFaults> = {}): FieldFaults {
  const faults = { ...DEFAULT_FIELD_FAULTS, ...given };
  for (const [name, value] of Object.entries(faults)) {
    const isRate = name.endsWith('Rate') || name.endsWith('Share');
    if (!Number.isFinite(value) || value < 0 || (isRate && value > 1))
      throw new RangeError(`fault ${name} must be ${isRate ? 'in [0, 1]' : 'a non-negative number'}, got ${value}`);
  }
  if (!Number.isInteger(faults.maxDaysLate) || faults.maxDaysLate < 1) throw new RangeError('maxDaysLate must be ≥ 1');
  if (!Number.isInteger(faults.maxGapIntervals) || faults.maxGapIntervals < 1)
    throw new RangeError('maxGapIntervals must be ≥ 1');
  return faults;
}
