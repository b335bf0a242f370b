import type { MeterCommand, MeterCommandKind } from '../domain/meter-command.js';

/**
 * Frame sizes on the Chain 1 PLC segment (concentrator ↔ meter, Meters and More, CHAIN2.md §1 and §7).
 * The Meters and More frame layout is not public in detail: these sizes are our choice, of the right order.
 *
 * Every frame carries 32 bytes of overhead: preamble and sync 4, length and control 2, destination and source
 * addresses 6 + 6, command type and invoke id 4, authentication tag 8 (AES-128, truncated), CRC 2.
 * Payloads (request → answer):
 * | command              | request payload                                                      | answer payload |
 * |----------------------|----------------------------------------------------------------------|----------------|
 * | program_chain2       | attribute 2 + DU MAC 6 + DU key 16 = 24                              | status 2       |
 * | clear_chain2         | attribute 2                                                          | status 2       |
 * | connect, disconnect  | attribute 2                                                          | status 2       |
 * | set_available_power  | attribute 2 + power (W, uint32) 4 = 6                                | status 2       |
 * | set_tariff_calendar  | attribute 2 + per day type (3) a count 1 + per switch 3 (minute 2, band 1) | status 2 |
 * | read_registers       | attribute 2                                                          | status 2 + time 6 + F1…F6 6×4 + import 4 + export 4 + power 4 + switch 1 = 45 |
 */
export const FRAME_OVERHEAD_BYTES = 32;
const ATTRIBUTE_BYTES = 2;
const STATUS_BYTES = 2;

export function requestPayloadBytes(command: MeterCommand): number {
  switch (command.kind) {
    case 'program_chain2':
      return ATTRIBUTE_BYTES + 6 + 16;
    case 'clear_chain2':
    case 'connect':
    case 'disconnect':
    case 'read_registers':
      return ATTRIBUTE_BYTES;
    case 'set_available_power':
      return ATTRIBUTE_BYTES + 4;
    case 'set_tariff_calendar': {
      const { weekday, saturday, holiday } = command.calendar;
      return ATTRIBUTE_BYTES + 3 + 3 * (weekday.length + saturday.length + holiday.length);
    }
  }
}

export function answerPayloadBytes(kind: MeterCommandKind): number {
  return kind === 'read_registers' ? STATUS_BYTES + 6 + 6 * 4 + 4 + 4 + 4 + 1 : STATUS_BYTES;
}

/** Time on the wire of one frame, ms: bytes × 8 / bit rate. `bitRate` Infinity gives 0. */
export function transmissionMs(bytes: number, bitRate: number): number {
  return ((bytes * 8) / bitRate) * 1000;
}

/**
 * One attempt = request frame down one hop + answer frame up one hop. When the answer does not come, the
 * concentrator waits as long as the answer would have taken (its response timeout), so a lost attempt costs the same.
 */
export function attemptTiming(
  command: MeterCommand,
  link: { bitRate: number; latencyMs: number },
): { downMs: number; upMs: number } {
  return {
    downMs: transmissionMs(FRAME_OVERHEAD_BYTES + requestPayloadBytes(command), link.bitRate) + link.latencyMs,
    upMs: transmissionMs(FRAME_OVERHEAD_BYTES + answerPayloadBytes(command.kind), link.bitRate) + link.latencyMs,
  };
}
