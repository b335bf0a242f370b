/** The Open Meter's Chain 2 behaviour model: its public surface (see README.md). */
export {
  MeterEmitter,
  STEP_SECONDS,
  GAP_W,
  REARM_SECONDS,
  SHED_SECONDS,
  EventTypeCode,
  DAY_TYPE_CODES,
  CLOSING_CODE_MONTHLY_FREEZE,
  type MeterEmitterOptions,
  type ContractData,
  type ClosedQuarter,
  type MeterRecorder,
} from './meter-emitter.js';
export {
  makeLoadProfile,
  loadPowerW,
  loadMinuteW,
  loadPowerAt,
  APPLIANCES,
  type LoadProfile,
  type LoadPeak,
} from './load-profile.js';
export { pvMinuteW, type PvSystem } from './pv-profile.js';
export { switchOffCountdownSeconds, SWITCH_OFF_COUNTDOWN_STEPS } from './switch-off-countdown.js';
export { supplyVoltageV, voltageBandOf } from './supply-voltage.js';
