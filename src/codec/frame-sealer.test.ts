import { describe, expect, it } from 'vitest';
import { caught } from './caught.test-support.js';
import { CounterExhaustedError, InvalidValueError } from './errors.js';
import { FrameOpener } from './frame-opener.js';
import { FrameSealer } from './frame-sealer.js';
import { MAX_FRAME_COUNTER } from './header.js';
import type { Frame } from './layout.js';
import { deriveSystemTitle } from './system-title.js';

const key = new Uint8Array(16).fill(3);
const systemTitle = deriveSystemTitle('21E4E5KA101249263');
const cf23: Frame = {
  type: 'CF23',
  meter: 'M1',
  payload: { EventType: 1, EventsCounter: 3, EventPosixTimestamp: 1717226400, OutageDuration: 754 },
};

describe('FrameSealer', () => {
  it('gives each frame the next counter, so no two frames share a nonce', () => {
    const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: 41 });
    const opener = new FrameOpener({ key });
    expect(opener.open(sealer.seal(cf23)).frameCounter).toBe(41);
    expect(opener.open(sealer.seal(cf23)).frameCounter).toBe(42);
    expect(sealer.nextFrameCounter).toBe(43);
  });

  it('refuses to seal once the last counter is used', () => {
    const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: MAX_FRAME_COUNTER });
    expect(new FrameOpener({ key }).open(sealer.seal(cf23)).frameCounter).toBe(MAX_FRAME_COUNTER);
    const error = caught(() => sealer.seal(cf23));
    expect(error).toBeInstanceOf(CounterExhaustedError);
    expect(error).toMatchObject({ code: 'counter_exhausted' });
  });

  it('refuses a value its field cannot carry, names the field, and does not use a counter', () => {
    const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: 7 });
    const tooBig = { ...cf23, payload: { ...cf23.payload, OutageDuration: 2 ** 32 } } as Frame;
    expect(caught(() => sealer.seal(tooBig))).toMatchObject({ code: 'invalid_value', path: 'payload.OutageDuration' });
    const missing = { ...cf23, payload: { EventType: 1 } } as unknown as Frame;
    expect(caught(() => sealer.seal(missing))).toMatchObject({ code: 'invalid_value', path: 'payload.EventsCounter' });
    expect(sealer.nextFrameCounter).toBe(7);
  });

  it('refuses text longer than its field or outside printable ASCII', () => {
    const sealer = new FrameSealer({ key, systemTitle });
    const cf20 = {
      type: 'CF20',
      meter: 'M1',
      payload: {
        EventType: 1,
        EventPosixTimestamp: 0,
        EventsCounter: 0,
        CustomerCode: '',
        POD: 'IT001E123456789X',
        PESSE: 0,
        Vendor: '',
        Phone: '',
        StartContract: 0,
        ContractPower: 0,
        AvailablePower: 0,
        FreezingDay: 1,
        Gap: 300,
        DataPlate: '',
        K: 1,
      },
    } as Frame;
    expect(caught(() => sealer.seal(cf20))).toMatchObject({ path: 'payload.POD' });
    const accented = { ...cf20, payload: { ...cf20.payload, POD: 'IT001E12345678', Vendor: 'Società' } } as Frame;
    expect(caught(() => sealer.seal(accented))).toMatchObject({ path: 'payload.Vendor' });
  });

  it('refuses a key, a system title or a first counter it cannot use', () => {
    expect(caught(() => new FrameSealer({ key: new Uint8Array(15), systemTitle }))).toBeInstanceOf(InvalidValueError);
    expect(caught(() => new FrameSealer({ key, systemTitle: new Uint8Array(12) }))).toMatchObject({
      path: 'systemTitle',
    });
    expect(caught(() => new FrameSealer({ key, systemTitle, nextFrameCounter: -1 }))).toMatchObject({
      path: 'nextFrameCounter',
    });
  });

  it('keeps its own copy of the key, so wiping the caller’s array does not change the frames', () => {
    const callerKey = Uint8Array.from(key);
    const sealer = new FrameSealer({ key: callerKey, systemTitle });
    callerKey.fill(0);
    expect(new FrameOpener({ key }).open(sealer.seal(cf23)).frame).toEqual(cf23);
  });
});
