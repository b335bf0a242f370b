/**
 * Test support: real meter frames (sim/meter-emitter) sealed as a meter would seal them, so DU tests run on what the
 * field sends, not on hand-made bytes.
 */
import { FrameSealer, deriveSystemTitle, parseDuKey, type Frame } from '../../src/codec/index.js';
import { MeterEmitter } from '../meter-emitter/index.js';

export const KEY = '00112233445566778899AABBCCDDEEFF';
export const OTHER_KEY = 'FFEEDDCCBBAA99887766554433221100';
export const MAC = 'DC0A1B2C3D4E';
export const OTHER_MAC = 'DC0A1B2C3D4F';
export const POD = 'IT001E12345678';
export const OTHER_POD = 'IT001E87654321';

export interface SimulatedMeter {
  emitter: MeterEmitter;
  sealer: FrameSealer;
  /** Frames due up to `until`, each with its sealed bytes. */
  advanceTo(until: Date): { frame: Frame; sealed: Buffer }[];
}

export function makeMeter(
  options: { pod?: string; meterSerial?: string; key?: string; startAt?: Date; seed?: number } = {},
): SimulatedMeter {
  const meterSerial = options.meterSerial ?? '21E4E5KA101249263';
  const emitter = new MeterEmitter({
    pod: options.pod ?? POD,
    meterSerial,
    contractPowerW: 3_000,
    availablePowerW: 3_300,
    seed: options.seed ?? 7,
    startAt: options.startAt ?? new Date('2026-03-01T22:00:00+01:00'),
  });
  const sealer = new FrameSealer({ key: parseDuKey(options.key ?? KEY), systemTitle: deriveSystemTitle(meterSerial) });
  return {
    emitter,
    sealer,
    advanceTo: (until) => emitter.advanceTo(until).map((frame) => ({ frame, sealed: sealer.seal(frame) })),
  };
}
