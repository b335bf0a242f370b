import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../services/ports/index.js';

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** OWASP's scrypt minimum (N=2^17, r=8, p=1) costs ≈128 MiB and ≈0.3 s here; 2^15 keeps a login near 80 ms. */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * scrypt hashes as `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with each hash, so they can be raised
 * later without invalidating stored passwords.
 */
export function scryptHasher(cost: Partial<typeof DEFAULTS> = {}): PasswordHasher {
  const params = { ...DEFAULTS, ...cost };
  const optionsOf = (N: number, r: number, p: number): ScryptOptions => ({ N, r, p, maxmem: 256 * N * r });
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await scryptAsync(password, salt, KEY_LENGTH, optionsOf(params.N, params.r, params.p));
      return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
    },
    async verify(password, stored) {
      const [scheme, N, r, p, salt, hash] = stored.split('$');
      if (scheme !== 'scrypt' || !salt || !hash) return false;
      const expected = Buffer.from(hash, 'base64url');
      const key = await scryptAsync(
        password,
        Buffer.from(salt, 'base64url'),
        expected.length,
        optionsOf(Number(N), Number(r), Number(p)),
      );
      return timingSafeEqual(key, expected);
    },
  };
}
