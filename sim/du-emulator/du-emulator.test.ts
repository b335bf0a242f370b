import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  FrameSealer,
  deriveSystemTitle,
  parseChain2Json,
  parseDuKey,
  type Chain2Json,
  type Frame,
} from '../../src/codec/index.js';
import { DuEmulator, meterTimestampOf } from './du-emulator.js';
import { KEY, MAC, OTHER_KEY, POD, makeMeter, type SimulatedMeter } from './meter-frames.test-support.js';

function makeDu(overrides: Partial<ConstructorParameters<typeof DuEmulator>[0]> = {}): DuEmulator {
  return new DuEmulator({
    id: 'du-test',
    pod: POD,
    macAddress: MAC,
    key: KEY,
    now: () => new Date('2026-03-02T08:00:00Z'),
    ...overrides,
  });
}

/** The meter's first frame (its simulated time starts at 22:00). */
function firstFrame(meter: SimulatedMeter): { frame: Frame; sealed: Buffer } {
  const [first] = meter.advanceTo(new Date('2026-03-01T22:15:00+01:00'));
  if (!first) throw new Error('the meter sent nothing');
  return first;
}

/** A CF21 the meter stamped at `at` (Europe/Rome offsets in the ISO text). */
function cf21At(at: string, eventsCounter = 1): Frame {
  return {
    type: 'CF21',
    meter: 'M1',
    payload: {
      EventType: 1,
      EventsCounter: eventsCounter,
      EventPosixTimestamp: Date.parse(at) / 1000,
      InstantPower: 1_200,
    },
  };
}

describe('DuEmulator: accepted frames', () => {
  it('opens real meter frames and hands each on as a Chain2Data envelope with its id and reception time', () => {
    const du = makeDu();
    const messages: Chain2Json[] = [];
    du.subscribe((message) => messages.push(message));
    const sent = makeMeter().advanceTo(new Date('2026-03-02T01:00:00+01:00'));
    expect(sent.length).toBeGreaterThan(8);
    for (const { sealed } of sent) expect(du.receive(sealed).accepted).toBe(true);

    expect(messages.map((message) => message.Chain2Data.Type)).toEqual(sent.map(({ frame }) => frame.type));
    for (const [index, message] of messages.entries()) {
      const envelope = parseChain2Json(JSON.stringify(message)); // strict reader: exactly the §4 envelope
      expect(envelope).toEqual({ duId: 'du-test', ts: '2026/03/02 09:00:00', frame: sent[index]!.frame });
    }
    expect(du.framesAccepted).toBe(sent.length);
  });

  it('counts frames per Europe/Rome day of the meter timestamp, as the meter counts them sent', () => {
    const du = makeDu();
    const meter = makeMeter();
    for (const { sealed } of meter.advanceTo(new Date('2026-03-03T06:00:00+01:00'))) du.receive(sealed);
    for (const day of [1, 2, 3]) {
      const date = { year: 2026, month: 3, day };
      expect(du.framesReceivedOn(date)).toBe(meter.emitter.framesSentOn(date));
    }
    expect(du.framesReceivedOn('2026-03-02', 'CF1')).toBe(96);
    expect(du.framesReceivedOn('2026-03-02')).toBeGreaterThan(96);
    expect(du.framesReceivedOn('2026-03-04')).toBe(0);
    expect(du.dailyCounts().filter((row) => row.date === '2026-03-02' && row.type === 'CF1')).toEqual([
      { date: '2026-03-02', type: 'CF1', count: 96 },
    ]);
  });

  it('counts a frame of 23:59:50 Rome time received after midnight for the earlier day', () => {
    const du = makeDu({ now: () => new Date('2026-03-03T00:00:30+01:00') });
    const sealer = new FrameSealer({ key: parseDuKey(KEY), systemTitle: deriveSystemTitle('21E4E5KA101249263') });
    const outcome = du.receive(sealer.seal(cf21At('2026-03-02T23:59:50+01:00')));
    expect(outcome.accepted && outcome.message.Chain2Data.Ts).toBe('2026/03/03 00:00:30');
    expect(du.framesReceivedOn('2026-03-02')).toBe(1);
    expect(du.framesReceivedOn('2026-03-02', 'CF21')).toBe(1);
    expect(du.framesReceivedOn('2026-03-03')).toBe(0);
  });

  it('reads the meter timestamp from periodic and event frames', () => {
    const cf1 = makeMeter()
      .advanceTo(new Date('2026-03-01T22:15:00+01:00'))
      .find(({ frame }) => frame.type === 'CF1');
    expect(meterTimestampOf(cf1!.frame)).toBe(Date.parse('2026-03-01T22:15:00+01:00') / 1000);
    expect(meterTimestampOf(cf21At('2026-03-02T12:00:00Z'))).toBe(Date.parse('2026-03-02T12:00:00Z') / 1000);
  });

  it('refuses a date that is not YYYY-MM-DD, naming the format', () => {
    expect(() => makeDu().framesReceivedOn('02/03/2026')).toThrow(/YYYY-MM-DD/);
  });
});

describe('DuEmulator: refused frames', () => {
  it('counts a frame sealed under another key as an authentication failure and does not forward it', () => {
    const du = makeDu();
    const forwarded: Chain2Json[] = [];
    du.subscribe((message) => forwarded.push(message));
    const { sealed } = firstFrame(makeMeter({ key: OTHER_KEY }));
    expect(du.receive(sealed)).toEqual({ accepted: false, code: 'authentication_failed' });
    expect(forwarded).toEqual([]);
    expect(du.rejections()).toEqual({ authentication_failed: 1 });
    expect(du.framesAccepted).toBe(0);
    expect(du.framesReceivedOn('2026-03-01')).toBe(0);
  });

  it('counts replays, malformed, truncated and non-byte input without ever throwing', () => {
    const du = makeDu();
    const { sealed } = firstFrame(makeMeter());
    expect(du.receive(sealed).accepted).toBe(true);
    expect(du.receive(sealed)).toEqual({ accepted: false, code: 'replayed' });
    expect(du.receive(Uint8Array.of(0x00, 0x01, 0x02))).toEqual({ accepted: false, code: 'malformed' });
    expect(du.receive(sealed.subarray(0, 20))).toEqual({ accepted: false, code: 'incomplete' });
    expect(du.receive(Buffer.concat([sealed, Buffer.of(0)]))).toEqual({ accepted: false, code: 'oversized' });
    expect(du.receive('hello' as unknown as Uint8Array)).toEqual({ accepted: false, code: 'invalid_value' });
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(du.receive(tampered)).toEqual({ accepted: false, code: 'authentication_failed' });
    expect(du.rejections()).toEqual({
      replayed: 1,
      malformed: 1,
      incomplete: 1,
      oversized: 1,
      invalid_value: 1,
      authentication_failed: 1,
    });
    expect(du.framesRejected).toBe(6);
  });

  it('survives random bytes', () => {
    const du = makeDu();
    let seed = 12345;
    for (let index = 0; index < 2_000; index++) {
      const bytes = new Uint8Array(2 + (index % 120));
      for (let at = 0; at < bytes.length; at++) bytes[at] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      if (index % 2 === 0) bytes.set([0xc2, 0x01]);
      expect(du.receive(bytes).accepted).toBe(false);
    }
    expect(du.framesRejected).toBe(2_000);
  });

  it('after a key change refuses old-key frames and opens new-key ones, whose counters start again', () => {
    const du = makeDu();
    const oldMeter = makeMeter();
    for (const { sealed } of oldMeter.advanceTo(new Date('2026-03-01T23:00:00+01:00'))) du.receive(sealed);
    du.changeKey(OTHER_KEY);
    const [late] = oldMeter.advanceTo(new Date('2026-03-01T23:15:00+01:00'));
    expect(du.receive(late!.sealed)).toEqual({ accepted: false, code: 'authentication_failed' });
    const [fresh] = makeMeter({ key: OTHER_KEY }).advanceTo(new Date('2026-03-01T22:15:00+01:00'));
    expect(du.receive(fresh!.sealed).accepted).toBe(true); // frame counter 0 again, under the new key
  });
});

describe('DuEmulator: identity and secrecy', () => {
  it('never shows the key in JSON, inspection or the Chain2Info', () => {
    const du = makeDu();
    const shown = [
      JSON.stringify(du),
      inspect(du, { depth: 10, showHidden: true }),
      JSON.stringify(du.info('127.0.0.1')),
    ].join('\n');
    expect(shown).not.toContain(KEY);
    expect(shown.toLowerCase()).not.toContain(KEY.toLowerCase());
    expect(shown).toContain(MAC);
  });

  it('answers Chain2Info with id, ip, MAC, masked POD, emulator firmware and frames since boot', () => {
    expect(makeDu().info('192.168.1.64')).toEqual({
      Chain2Info: {
        Id: 'du-test',
        Ip: '192.168.1.64',
        Mac: MAC,
        Pod: 'IT001E****5678',
        ProgId: 'chain2-du-emulator',
        FwVersion: 'emulator',
        CFcountFromBoot: 0,
      },
    });
  });

  it('normalises the MAC and POD it is given', () => {
    const du = makeDu({ macAddress: 'dc:0a:1b:2c:3d:4e', pod: ' it001e12345678 ' });
    expect([du.macAddress, du.pod]).toEqual([MAC, POD]);
  });

  it('names every problem with its options at once, never echoing the key', () => {
    const badKey = 'ZZ112233445566778899AABBCCDDEEFF';
    let message = '';
    try {
      makeDu({ id: 'has space', pod: 'IT1', macAddress: '00:11', key: badKey });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^DuEmulator: id must be .*; pod must be .*; macAddress must be .*; Invalid value at key: expected 32 hex digits$/,
    );
    expect(message).not.toContain(badKey);
  });
});
