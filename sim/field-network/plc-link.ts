import type { MeterCommand, MeterCommandKind } from '../../src/domain/meter-command.js';

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

/**
 * The daily read of one meter's day file (our choice of encoding, of the right order): the request names the day
 * (attribute 2 + date 4); the answer carries per interval 4 channels × 3 bytes (Wh up to 16.7 M) + a status byte,
 * two register freezes of 5 × 4 + 6 bytes (time), 8 bytes per event, 2 per Chain 2 frame type counted, in frames of
 * at most `DAY_FILE_FRAME_PAYLOAD_BYTES`, each with its overhead. A 96-interval day ≈ 1.4 kB: ≈ 2.5 s at 4,800 bit/s.
 */
export const DAY_FILE_FRAME_PAYLOAD_BYTES = 256;

export function dayFileAnswerBytes(file: {
  intervals: number;
  events: unknown[];
  chain2FramesSent: { byType: object };
}): number {
  const payload =
    STATUS_BYTES +
    file.intervals * (4 * 3 + 1) +
    2 * (5 * 4 + 6) +
    8 * file.events.length +
    2 * Object.keys(file.chain2FramesSent.byType).length;
  return payload + Math.ceil(payload / DAY_FILE_FRAME_PAYLOAD_BYTES) * FRAME_OVERHEAD_BYTES;
}

/** One attempt of a daily read: the request down, the day file (or, lost, the time the concentrator waits for it) up. */
export function dailyReadTiming(
  answerBytes: number,
  link: { bitRate: number; latencyMs: number },
): { downMs: number; upMs: number } {
  return {
    downMs: transmissionMs(FRAME_OVERHEAD_BYTES + ATTRIBUTE_BYTES + 4, link.bitRate) + link.latencyMs,
    upMs: transmissionMs(answerBytes, link.bitRate) + link.latencyMs,
  };
}
