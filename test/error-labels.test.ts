import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainErrorCode } from '../src/domain/errors.js';
import { HTTP_ERROR_CODES } from '../src/http/errors.js';
import { en } from '../web/src/i18n/en.js';
import { it as italian } from '../web/src/i18n/it.js';

/** Every code a client may receive in `{"error":{"code"}}`: the domain's and HTTP's own, as the server exports them. */
const SERVER_CODES = new Set<string>([...Object.values(DomainErrorCode), ...HTTP_ERROR_CODES]);
/**
 * The portal's own entries of the `errors` group: the sentence for a code it does not know, a call that never reached
 * the platform (web/src/api.ts) and an invalid_input whose fields are marked one by one (ErrorNotice).
 */
const PORTAL_ENTRIES = new Set(['_unknown', 'network_error', 'invalid_input_fields']);
/** i18next's plural forms: `too_many_attempts_one` and `_other` label `too_many_attempts`. */
const PLURAL = /_(zero|one|two|few|many|other)$/;

const dictionaries = { it: italian.errors, en: en.errors } as Record<string, Record<string, string>>;

describe('the portal has words for every error code the server sends', () => {
  it.each(Object.keys(dictionaries))('labels every server code in %s', (language) => {
    const labels = dictionaries[language]!;
    const labelled = (code: string) => code in labels || (`${code}_one` in labels && `${code}_other` in labels);
    expect([...SERVER_CODES].filter((code) => !labelled(code))).toEqual([]);
  });

  it.each(Object.keys(dictionaries))('has no label in %s for a code the server never sends', (language) => {
    const codes = Object.keys(dictionaries[language]!).map((key) =>
      SERVER_CODES.has(key) ? key : key.replace(PLURAL, ''),
    );
    expect(codes.filter((code) => !SERVER_CODES.has(code) && !PORTAL_ENTRIES.has(code))).toEqual([]);
  });

  it('reads every code written in src/http/errors.ts from its exported lists', () => {
    // A table of codes added to errors.ts without joining HTTP_ERROR_CODES would escape the checks above.
    const source = readFileSync(join(import.meta.dirname, '..', 'src', 'http', 'errors.ts'), 'utf8');
    const written = [...source.matchAll(/\bcode: '([a-z_]+)'|errorBody\('([a-z_]+)'/g)].map((m) => m[1] ?? m[2]!);
    expect(written.length).toBeGreaterThan(0);
    expect(
      written.filter((code) => !SERVER_CODES.has(code)),
      'add these codes to HTTP_ERROR_CODES in src/http/errors.ts',
    ).toEqual([]);
  });
});
