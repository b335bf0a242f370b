import { createDecipheriv } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromChain2Json, toChain2Json } from './envelope.js';
import { parseDuKey } from './frame-crypto.js';
import { FrameOpener } from './frame-opener.js';
import { FrameSealer } from './frame-sealer.js';
import { FrameType } from './layout.js';
import { deriveSystemTitle } from './system-title.js';

interface GoldenVector {
  description: string;
  keyHex: string;
  meterSerial: string;
  systemTitleHex: string;
  frameCounter: number;
  headerHex: string;
  plaintextHex: string;
  frameHex: string;
  json: { Chain2Data: { Id: string; Ts: string; Type: string } };
}

const folder = join(import.meta.dirname, 'golden');
const vectors = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, vector: JSON.parse(readFileSync(join(folder, name), 'utf8')) as GoldenVector }));
const unspaced = (hex: string) => hex.replaceAll(' ', '');

describe('golden vectors', () => {
  it('cover every frame type', () => {
    const types = new Set(vectors.map(({ vector }) => vector.json.Chain2Data.Type));
    expect([...types].sort()).toEqual(Object.values(FrameType).sort());
  });

  describe.each(vectors)('$name', ({ vector }) => {
    const key = parseDuKey(vector.keyHex);
    const bytes = Buffer.from(vector.frameHex, 'hex');

    it('opens to the expected JSON envelope', () => {
      const opened = new FrameOpener({ key }).open(bytes);
      expect(opened.frameCounter).toBe(vector.frameCounter);
      expect(opened.systemTitleHex).toBe(vector.systemTitleHex);
      const { Id: duId, Ts: ts } = vector.json.Chain2Data;
      expect(toChain2Json({ duId, ts, frame: opened.frame })).toEqual(vector.json);
    });

    it('seals the expected JSON envelope to exactly the expected bytes', () => {
      const systemTitle = deriveSystemTitle(vector.meterSerial);
      expect(Buffer.from(systemTitle).toString('hex')).toBe(vector.systemTitleHex);
      const sealer = new FrameSealer({ key, systemTitle, nextFrameCounter: vector.frameCounter });
      expect(sealer.seal(fromChain2Json(vector.json).frame).toString('hex')).toBe(vector.frameHex);
    });

    it('lays out the header and the plaintext as LAYOUT.md documents (decrypted without the codec)', () => {
      expect(bytes.subarray(0, 18).toString('hex')).toBe(unspaced(vector.headerHex));
      const decipher = createDecipheriv('aes-128-gcm', key, bytes.subarray(4, 16));
      decipher.setAAD(bytes.subarray(0, 18));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(18, bytes.length - 16)), decipher.final()]);
      expect(plaintext.toString('hex')).toBe(unspaced(vector.plaintextHex));
    });
  });
});
