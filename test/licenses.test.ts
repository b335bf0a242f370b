import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCompatible, runtimeLicences } from '../tools/licenses.js';

describe('runtime dependencies fit the Apache-2.0 licence', () => {
  it.each([
    ['MIT', true],
    ['(MIT OR CC0-1.0)', true],
    ['Apache-2.0 AND MIT', true],
    ['BlueOak-1.0.0', true],
    ['GPL-3.0-only', false],
    ['AGPL-3.0-or-later', false],
    ['LGPL-2.1-only', false],
    ['(GPL-2.0 OR MIT)', true],
    ['MIT AND GPL-3.0-only', false],
    ['SSPL-1.0', false],
    ['UNKNOWN', false],
  ])('judges %s compatible: %s', (licence, compatible) => {
    expect(isCompatible(licence)).toBe(compatible);
  });

  it('lists every production package of the lockfile, none copyleft or unknown', () => {
    const licences = runtimeLicences(join(import.meta.dirname, '..'));
    expect(licences.map((p) => p.name)).toEqual(
      expect.arrayContaining(['fastify', 'pg', 'pg-boss', '@electric-sql/pglite']),
    );
    expect(licences.filter((p) => !isCompatible(p.licence))).toEqual([]);
  });
});
