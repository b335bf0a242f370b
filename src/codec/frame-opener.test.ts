import { describe, expect, it } from 'vitest';
import { caught } from './caught.test-support.js';
import {
  AuthenticationFailedError,
  CodecErrorCode,
  IncompleteFrameError,
  InvalidValueError,
  MalformedFrameError,
  OversizedFrameError,
  ReplayedFrameError,
} from './errors.js';
import { sealInPlace } from './frame-crypto.js';
import { FrameOpener } from './frame-opener.js';
import { FrameSealer } from './frame-sealer.js';
import { HEADER_BYTES, HeaderOffset, MAX_FRAME_BYTES, TAG_BYTES, measureFrame, writeHeader } from './header.js';
import { LAYOUTS, type Frame } from './layout.js';
import { encodePayload } from './payload.js';
import { deriveSystemTitle } from './system-title.js';

const key = Uint8Array.from({ length: 16 }, (_, index) => index);
const otherKey = Uint8Array.from({ length: 16 }, (_, index) => 255 - index);
const systemTitle = deriveSystemTitle('21E4E5KA101249263');

const cf1: Frame = {
  type: 'CF1',
  meter: 'M1',
  payload: {
    MessagePosixTimestamp: 1717239615,
    MeasurePosixTimestamp: 1717239600,
    TariffCode: 2,
    CurrQuartActEnergy: 12,
    PrevQuartActEnergy: 87,
    InstantPower: 348,
    QuartAveragePower: 352,
    TotalActEnergy: 10482265,
  },
};
const cf20: Frame = {
  type: 'CF20',
  meter: 'M1',
  payload: {
    EventType: 1,
    EventPosixTimestamp: 1717210380,
    EventsCounter: 17,
    CustomerCode: '123456789',
    POD: 'IT001E12345678',
    PESSE: 0,
    Vendor: 'ENEL ENERGIA',
    Phone: '800900800',
    StartContract: 1483225200,
    ContractPower: 3000,
    AvailablePower: 3300,
    FreezingDay: 1,
    Gap: 300,
    DataPlate: '21E4E5KA101249263',
    K: 1,
  },
};

function sealOne(frame: Frame = cf1, nextFrameCounter = 10): Buffer {
  return new FrameSealer({ key, systemTitle, nextFrameCounter }).seal(frame);
}

/** An authentic frame (right key, right tag) around whatever header fields and plaintext a test wants. */
function sealRaw(header: { type: number; meter: number; counter?: number }, plaintext: Uint8Array): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + plaintext.length + TAG_BYTES);
  writeHeader(out, header.type, header.meter, systemTitle, header.counter ?? 10, plaintext.length);
  out.set(plaintext, HEADER_BYTES);
  sealInPlace(key, out);
  return out;
}

function plaintextOf(frame: Frame): Buffer {
  const layout = LAYOUTS[frame.type];
  const out = Buffer.alloc(layout.payloadBytes);
  encodePayload(layout, frame.payload, out, 0, 'payload');
  return out;
}

describe('FrameOpener', () => {
  it('opens a frame sealed under the same key', () => {
    const opened = new FrameOpener({ key }).open(sealOne());
    expect(opened).toEqual({ frame: cf1, systemTitleHex: Buffer.from(systemTitle).toString('hex'), frameCounter: 10 });
  });

  it('opens a frame given as a plain Uint8Array view into a larger buffer', () => {
    const bytes = sealOne();
    const larger = new Uint8Array(bytes.length + 10);
    larger.set(bytes, 5);
    expect(new FrameOpener({ key }).open(larger.subarray(5, 5 + bytes.length)).frame).toEqual(cf1);
  });

  it('rejects a frame sealed under another key as authentication_failed', () => {
    const error = caught(() => new FrameOpener({ key: otherKey }).open(sealOne()));
    expect(error).toBeInstanceOf(AuthenticationFailedError);
    expect((error as AuthenticationFailedError).code).toBe(CodecErrorCode.authenticationFailed);
  });

  it('rejects a change to any byte the tag covers as authentication_failed, without saying which', () => {
    const sealed = sealOne(cf20);
    const structural: number[] = [
      HeaderOffset.magic,
      HeaderOffset.version,
      HeaderOffset.payloadLength,
      HeaderOffset.payloadLength + 1,
    ];
    const messages = new Set<string>();
    for (let offset = 0; offset < sealed.length; offset++) {
      if (structural.includes(offset)) continue; // these change where the frame ends: see the next tests
      const tampered = Buffer.from(sealed);
      tampered[offset]! ^= 0x01;
      const error = caught(() => new FrameOpener({ key }).open(tampered));
      expect(error, `byte ${offset}`).toBeInstanceOf(AuthenticationFailedError);
      messages.add((error as Error).message);
    }
    expect([...messages]).toEqual(['Frame authentication failed']);
  });

  it('rejects a frame that does not start with the magic byte as malformed at byte 0', () => {
    const bytes = sealOne();
    bytes[0] = 0x7b; // "{": someone sent JSON
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({ code: 'malformed', byteOffset: 0 });
  });

  it('rejects an unknown version as malformed at byte 1', () => {
    const bytes = sealOne();
    bytes[1] = 2;
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({ code: 'malformed', byteOffset: 1 });
  });

  it('rejects the same frame twice as replayed', () => {
    const opener = new FrameOpener({ key });
    const bytes = sealOne();
    opener.open(bytes);
    const error = caught(() => opener.open(bytes));
    expect(error).toBeInstanceOf(ReplayedFrameError);
    expect(error).toMatchObject({ code: 'replayed', frameCounter: 10, lastFrameCounter: 10 });
  });

  it('rejects an authentic frame older than the last one accepted from the same meter as replayed', () => {
    const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: 1 });
    const older = sealer.seal(cf1);
    const newer = sealer.seal(cf1);
    const opener = new FrameOpener({ key });
    opener.open(newer);
    expect(caught(() => opener.open(older))).toMatchObject({ code: 'replayed', frameCounter: 1, lastFrameCounter: 2 });
  });

  it('keeps replay state per meter, so the M2 meter counting from 0 is accepted after M1 frames', () => {
    const opener = new FrameOpener({ key });
    opener.open(sealOne(cf1, 5000));
    const production = new FrameSealer({ key, systemTitle: deriveSystemTitle('21E4E5KA101250118') });
    expect(opener.open(production.seal({ ...cf1, meter: 'M2' })).frameCounter).toBe(0);
  });

  it('accepts counters with gaps (lost frames) as long as they increase', () => {
    const opener = new FrameOpener({ key });
    expect(opener.open(sealOne(cf1, 3)).frameCounter).toBe(3);
    expect(opener.open(sealOne(cf1, 90)).frameCounter).toBe(90);
  });

  it('still rejects old frames after a restart from the persisted replay state', () => {
    const first = new FrameOpener({ key });
    first.open(sealOne(cf1, 10));
    const restarted = new FrameOpener({ key, lastFrameCounters: first.lastFrameCounters() });
    expect(caught(() => restarted.open(sealOne(cf1, 10)))).toMatchObject({ code: 'replayed' });
    expect(restarted.open(sealOne(cf1, 11)).frameCounter).toBe(11);
  });

  it('does not advance the replay state on a frame it rejects', () => {
    const opener = new FrameOpener({ key });
    const forged = sealOne(cf1, 1000);
    forged[forged.length - 1]! ^= 0xff;
    expect(caught(() => opener.open(forged))).toBeInstanceOf(AuthenticationFailedError);
    expect(opener.lastFrameCounters()).toEqual({});
    expect(opener.open(sealOne(cf1, 10)).frameCounter).toBe(10);
  });

  it('rejects every truncation as incomplete, saying how many bytes are missing', () => {
    const bytes = sealOne();
    for (let length = 0; length < bytes.length; length++) {
      const error = caught(() => new FrameOpener({ key }).open(bytes.subarray(0, length)));
      expect(error, `length ${length}`).toBeInstanceOf(IncompleteFrameError);
      const expected = length < HEADER_BYTES ? HEADER_BYTES - length : bytes.length - length;
      expect((error as IncompleteFrameError).bytesNeeded, `length ${length}`).toBe(expected);
    }
  });

  it('rejects bytes after the end of the frame as oversized', () => {
    const bytes = Buffer.concat([sealOne(), Buffer.from([0])]);
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({
      code: 'oversized',
      limitBytes: bytes.length - 1,
      actualBytes: bytes.length,
    });
  });

  it('rejects a megabyte of input behind a valid header as oversized', () => {
    const bytes = Buffer.concat([sealOne(), Buffer.alloc(1 << 20)]);
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toBeInstanceOf(OversizedFrameError);
  });

  it('rejects a header declaring a payload beyond the largest frame type as oversized, before any crypto', () => {
    const bytes = sealOne();
    bytes.writeUInt16BE(0xffff, HeaderOffset.payloadLength);
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({
      code: 'oversized',
      limitBytes: MAX_FRAME_BYTES,
    });
  });

  it('rejects an authentic frame of an unknown type as malformed at byte 2', () => {
    const bytes = sealRaw({ type: 2, meter: 1 }, plaintextOf(cf1));
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({ code: 'malformed', byteOffset: 2 });
  });

  it('rejects an authentic frame from an unknown meter as malformed at byte 3', () => {
    const bytes = sealRaw({ type: 1, meter: 3 }, plaintextOf(cf1));
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({ code: 'malformed', byteOffset: 3 });
  });

  it('rejects an authentic frame whose payload length does not fit its type as malformed at byte 16', () => {
    const bytes = sealRaw({ type: 1, meter: 1 }, Buffer.concat([plaintextOf(cf1), Buffer.from([0])]));
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({ code: 'malformed', byteOffset: 16 });
  });

  it('rejects an authentic frame with a control character in a text field as malformed at that byte', () => {
    const plaintext = plaintextOf(cf20);
    const pod = LAYOUTS.CF20.fields.find((field) => field.name === 'POD')!;
    plaintext[pod.offset + 3] = 0x00;
    const bytes = sealRaw({ type: 20, meter: 1 }, plaintext);
    expect(caught(() => new FrameOpener({ key }).open(bytes))).toMatchObject({
      code: 'malformed',
      byteOffset: HEADER_BYTES + pod.offset + 3,
    });
  });

  it('rejects an authentic frame with an integer outside its range as malformed at that field', () => {
    const plaintext = plaintextOf(cf1);
    const tariff = LAYOUTS.CF1.fields.find((field) => field.name === 'TariffCode')!;
    plaintext[tariff.offset] = 7;
    const error = caught(() => new FrameOpener({ key }).open(sealRaw({ type: 1, meter: 1 }, plaintext)));
    expect(error).toBeInstanceOf(MalformedFrameError);
    expect(error).toMatchObject({ byteOffset: HEADER_BYTES + tariff.offset });
  });

  it('rejects an authentic frame with month 13 in a date-time as malformed at the month byte', () => {
    const frame: Frame = {
      type: 'CF5',
      meter: 'M1',
      payload: {
        MeasurePosixTimestamp: 1717279200,
        DailyTotalActEnergyF1: 0,
        DailyTotalActEnergyF2: 5820,
        DailyTotalActEnergyF3: 2310,
        DailyTotalActEnergyF4: 0,
        DailyTotalActEnergyF5: 0,
        DailyTotalActEnergyF6: 0,
        DailyMaxInstantPower: 3105,
        DailyMaxInstantPowerDateTime: '01/06/2024 19:42:11 6',
        PrepaidCredit: 0,
        DayType: 2,
      },
    };
    const plaintext = plaintextOf(frame);
    const field = LAYOUTS.CF5.fields.find((spec) => spec.name === 'DailyMaxInstantPowerDateTime')!;
    plaintext[field.offset + 2] = 13;
    const error = caught(() => new FrameOpener({ key }).open(sealRaw({ type: 5, meter: 1 }, plaintext)));
    expect(error).toMatchObject({ code: 'malformed', byteOffset: HEADER_BYTES + field.offset + 2 });
  });

  it('rejects input that is not bytes with a codec error', () => {
    expect(caught(() => new FrameOpener({ key }).open('c2' as unknown as Uint8Array))).toBeInstanceOf(
      InvalidValueError,
    );
  });

  it('refuses a key that is not 16 bytes', () => {
    expect(caught(() => new FrameOpener({ key: new Uint8Array(32) }))).toMatchObject({
      code: 'invalid_value',
      path: 'key',
    });
  });
});

describe('measureFrame', () => {
  it('finds the end of each frame in a stream of concatenated frames', () => {
    const sealer = new FrameSealer({ key, systemTitle });
    const frames = [sealer.seal(cf1), sealer.seal(cf20), sealer.seal(cf1)];
    let stream = Buffer.concat(frames);
    const opener = new FrameOpener({ key });
    const opened: Frame[] = [];
    while (stream.length > 0) {
      const length = measureFrame(stream);
      opened.push(opener.open(stream.subarray(0, length)).frame);
      stream = stream.subarray(length);
    }
    expect(opened).toEqual([cf1, cf20, cf1]);
  });

  it('asks for the rest of the header when given only part of it', () => {
    expect(caught(() => measureFrame(sealOne().subarray(0, 5)))).toMatchObject({ code: 'incomplete', bytesNeeded: 13 });
  });
});
