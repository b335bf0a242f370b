import { describe, expect, it } from 'vitest';
import { PowerLineMedium } from './power-line-medium.js';

const MAC = 'DC0A1B2C3D4E';
const frame = (byte: number): Uint8Array => Uint8Array.of(0xc2, 0x01, byte);

/** Indexes of the transmissions lost among `count`, every one to a listening MAC. */
function lossPattern(seed: number, count: number, lossRate = 0.01): number[] {
  const medium = new PowerLineMedium({ seed, lossRate });
  medium.attach(MAC, () => {});
  const lost: number[] = [];
  for (let index = 0; index < count; index++) if (!medium.transmit(MAC, frame(index & 0xff))) lost.push(index);
  return lost;
}

describe('PowerLineMedium: delivery', () => {
  it('delivers a frame to every listener of the MAC, whatever the MAC notation', () => {
    const medium = new PowerLineMedium({ lossRate: 0 });
    const heard: string[] = [];
    medium.attach('dc:0a:1b:2c:3d:4e', (bytes) => heard.push(`a${bytes[2]}`));
    medium.attach('DC-0A-1B-2C-3D-4E', (bytes) => heard.push(`b${bytes[2]}`));
    expect(medium.transmit('dc0a1b2c3d4e', frame(7))).toBe(true);
    expect(heard).toEqual(['a7', 'b7']);
    expect(medium.counters).toEqual({ transmitted: 1, delivered: 1, lost: 0, noListener: 0 });
  });

  it('does not deliver to listeners of another MAC, and counts a frame nobody hears', () => {
    const medium = new PowerLineMedium({ lossRate: 0 });
    const heard: Uint8Array[] = [];
    medium.attach('DC0000000001', (bytes) => heard.push(bytes));
    expect(medium.transmit(MAC, frame(1))).toBe(false);
    expect(heard).toEqual([]);
    expect(medium.counters).toEqual({ transmitted: 1, delivered: 0, lost: 0, noListener: 1 });
  });

  it('stops delivering after detach, and detaching twice is harmless', () => {
    const medium = new PowerLineMedium({ lossRate: 0 });
    const heard: number[] = [];
    const detach = medium.attach(MAC, (bytes) => heard.push(bytes[2]!));
    medium.transmit(MAC, frame(1));
    detach();
    detach();
    medium.transmit(MAC, frame(2));
    expect(heard).toEqual([1]);
    expect(medium.listenerCount(MAC)).toBe(0);
  });

  it('gives each listener its own copy of the frame', () => {
    const medium = new PowerLineMedium({ lossRate: 0 });
    let second: Uint8Array | undefined;
    medium.attach(MAC, (bytes) => bytes.fill(0));
    medium.attach(MAC, (bytes) => (second = bytes));
    const sent = frame(9);
    medium.transmit(MAC, sent);
    expect([...second!]).toEqual([0xc2, 0x01, 9]);
    expect([...sent]).toEqual([0xc2, 0x01, 9]);
  });

  it('still serves every listener when one throws, then reports the error to the sender', () => {
    const medium = new PowerLineMedium({ lossRate: 0 });
    const heard: number[] = [];
    medium.attach(MAC, () => {
      throw new Error('listener bug');
    });
    medium.attach(MAC, (bytes) => heard.push(bytes[2]!));
    expect(() => medium.transmit(MAC, frame(3))).toThrow('listener bug');
    expect(heard).toEqual([3]);
  });

  it('refuses a MAC, loss rate or seed it cannot use, naming the rule', () => {
    const medium = new PowerLineMedium();
    expect(() => medium.transmit('0A1B2C3D4E5F', frame(1))).toThrow(/12 hex digits starting with DC/);
    expect(() => medium.attach('DC0A1B', () => {})).toThrow(/12 hex digits starting with DC/);
    expect(() => new PowerLineMedium({ lossRate: 1.5 })).toThrow(/lossRate must be a number in \[0, 1\]/);
    expect(() => new PowerLineMedium({ lossRate: Number.NaN })).toThrow(/lossRate/);
    expect(() => new PowerLineMedium({ seed: -1 })).toThrow(/seed must be an integer/);
  });
});

describe('PowerLineMedium: losses', () => {
  it('loses the same transmissions for the same seed, and about 1 % of 10,000 by default', () => {
    const first = lossPattern(2024, 10_000);
    expect(lossPattern(2024, 10_000)).toEqual(first);
    // Expected 100, standard deviation ≈ 10: 50..150 is five deviations either side, and the seed fixes the draw.
    expect(first.length).toBeGreaterThanOrEqual(50);
    expect(first.length).toBeLessThanOrEqual(150);
    expect(lossPattern(2025, 10_000)).not.toEqual(first);
  });

  it('honours the configured rate: 20 % of 10,000 within 1,800..2,200', () => {
    const lost = lossPattern(99, 10_000, 0.2).length; // expected 2,000, deviation 40
    expect(lost).toBeGreaterThanOrEqual(1_800);
    expect(lost).toBeLessThanOrEqual(2_200);
  });

  it('loses nothing at rate 0 and everything at rate 1, with counters that add up', () => {
    expect(lossPattern(1, 1_000, 0)).toEqual([]);
    expect(lossPattern(1, 1_000, 1)).toHaveLength(1_000);
    const medium = new PowerLineMedium({ seed: 3, lossRate: 0.5 });
    medium.attach(MAC, () => {});
    for (let index = 0; index < 500; index++) {
      medium.transmit(MAC, frame(1));
      medium.transmit('DC0000000001', frame(2));
    }
    const { transmitted, delivered, lost, noListener } = medium.counters;
    expect(transmitted).toBe(1_000);
    expect(delivered + lost + noListener).toBe(transmitted);
    expect(noListener).toBeGreaterThan(0);
  });

  it('draws the loss before looking at listeners, so who listens does not change the pattern', () => {
    const withListener = new PowerLineMedium({ seed: 5, lossRate: 0.3 });
    withListener.attach(MAC, () => {});
    const bare = new PowerLineMedium({ seed: 5, lossRate: 0.3 });
    for (let index = 0; index < 200; index++) {
      withListener.transmit(MAC, frame(1));
      bare.transmit(MAC, frame(1));
    }
    expect(bare.counters.lost).toBe(withListener.counters.lost);
  });
});
