/**
 * How long the meter lets power stay above the available power before it opens its breaker (CF22's
 * `SwitchOffCountdownSeconds`). CHAIN2.md §2: "2 min to 3 h depending on the excess"; the DSOs' pages say the larger
 * the excess, the shorter the time, and field reports give 3 h up to about a third over the contract power (≈ 20 %
 * over the available power). The steps between are our choice.
 */

export const SWITCH_OFF_COUNTDOWN_STEPS = [
  { maxExcessPercent: 20, countdownSeconds: 10_800 }, // 3 h: 3 kW contract, 3.3 kW available, up to 3.96 kW
  { maxExcessPercent: 30, countdownSeconds: 1_800 },
  { maxExcessPercent: 50, countdownSeconds: 600 },
  { maxExcessPercent: Number.POSITIVE_INFINITY, countdownSeconds: 120 }, // 2 min
] as const;

/** Countdown (s) for a power above the available power; excess = (instant − available) ÷ available. */
export function switchOffCountdownSeconds(instantPowerW: number, availablePowerW: number): number {
  if (!(instantPowerW > availablePowerW) || !(availablePowerW > 0)) {
    throw new RangeError(`no countdown: ${instantPowerW} W does not exceed the available ${availablePowerW} W`);
  }
  const excessTimes100 = (instantPowerW - availablePowerW) * 100;
  // The last step's bound is infinite, so a step always matches.
  return SWITCH_OFF_COUNTDOWN_STEPS.find((step) => excessTimes100 <= step.maxExcessPercent * availablePowerW)!
    .countdownSeconds;
}
