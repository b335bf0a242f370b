import { describe, expect, it } from 'vitest';
import { echo, echoDetails, echoIssue, ECHO_TEXT_CHARS } from './echo.js';

describe('echo', () => {
  it.each([
    ['a short value, whole', 'IT001E12345678', 64, 'IT001E12345678'],
    ['a value of exactly the bound, whole', 'x'.repeat(8), 8, 'x'.repeat(8)],
    ['a longer value, cut with an ellipsis', 'x'.repeat(9), 8, `${'x'.repeat(8)}…`],
    ['never half of a surrogate pair', `${'x'.repeat(7)}😀tail`, 8, `${'x'.repeat(7)}…`],
  ])('repeats %s', (_case, text, max, echoed) => {
    expect(echo(text, max)).toBe(echoed);
  });

  it("bounds an issue's field and message, not its code", () => {
    const long = 'k'.repeat(10_000);
    const issue = echoIssue({ field: long, code: 'unknown_field', message: `${long} is not a known field` });
    expect(issue.code).toBe('unknown_field');
    expect([issue.field.length, issue.message.length]).toEqual([ECHO_TEXT_CHARS + 1, ECHO_TEXT_CHARS + 1]);
  });

  it("bounds every string of an error's details, keys included, and leaves other values alone", () => {
    const long = 'h'.repeat(10_000);
    expect(echoDetails({ found: long, counts: [1, null, true], nested: [{ [long]: long }] })).toEqual({
      found: echo(long, ECHO_TEXT_CHARS),
      counts: [1, null, true],
      nested: [{ [echo(long, ECHO_TEXT_CHARS)]: echo(long, ECHO_TEXT_CHARS) }],
    });
  });
});
