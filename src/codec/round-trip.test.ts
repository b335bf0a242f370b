import { describe, expect, it } from 'vitest';
import { fromChain2Json, parseChain2Json, toChain2Json } from './envelope.js';
import { FrameOpener } from './frame-opener.js';
import { FrameSealer } from './frame-sealer.js';
import { FrameType } from './layout.js';
import { randomEnvelopeParts, randomFrame, seededRandom } from './random-frame.js';
import { deriveSystemTitle } from './system-title.js';

const FRAMES_PER_TYPE = 1_000;
const key = Uint8Array.from({ length: 16 }, (_, index) => index * 17);

describe('round trip (property, seeded)', () => {
  it.each(Object.values(FrameType))('opens every sealed %s frame to the frame that was sealed', (type) => {
    const random = seededRandom(type.length * 7919 + Number(type.slice(2)));
    const sealer = new FrameSealer({ key, systemTitle: deriveSystemTitle(`SERIAL-${type}`), nextFrameCounter: 1 });
    const opener = new FrameOpener({ key });
    for (let index = 0; index < FRAMES_PER_TYPE; index++) {
      const frame = randomFrame(random, type);
      const opened = opener.open(sealer.seal(frame));
      expect(opened.frame).toEqual(frame);
      expect(opened.frameCounter).toBe(index + 1);
    }
  });

  it.each(Object.values(FrameType))('converts every %s frame to the JSON envelope and back unchanged', (type) => {
    const random = seededRandom(4242 + Number(type.slice(2)));
    for (let index = 0; index < FRAMES_PER_TYPE; index++) {
      const envelope = { ...randomEnvelopeParts(random), frame: randomFrame(random, type) };
      const json = toChain2Json(envelope);
      expect(fromChain2Json(json)).toEqual(envelope);
      expect(parseChain2Json(JSON.stringify(json))).toEqual(envelope);
    }
  });

  it('gives every frame bytes → JSON → bytes the same bytes', () => {
    const random = seededRandom(99);
    const systemTitle = deriveSystemTitle('21E4E5KA101249263');
    const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: 500 });
    const opener = new FrameOpener({ key });
    for (let index = 0; index < 2_000; index++) {
      const bytes = sealer.seal(randomFrame(random));
      const opened = opener.open(bytes);
      const text = JSON.stringify(toChain2Json({ duId: 'c2g-1', ts: '2024/06/01 13:00:21', frame: opened.frame }));
      const resealer = new FrameSealer({ key, systemTitle, nextFrameCounter: opened.frameCounter });
      expect(resealer.seal(parseChain2Json(text).frame).equals(bytes)).toBe(true);
    }
  });
});
