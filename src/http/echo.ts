import type { FieldIssue } from '../domain/errors.js';

/**
 * What an answer repeats of the caller's own input is bounded: a 4 MB POD sent to be refused does not come back as a
 * 4 MB answer. Values (a POD) keep their first ECHO_VALUE_CHARS characters: a POD has at most 15, a DU label 64, so
 * whatever is longer is not one and its start is enough to find the line. Sentences (messages, field paths that may
 * carry a caller's key) keep their first ECHO_TEXT_CHARS.
 */
export const ECHO_VALUE_CHARS = 64;
export const ECHO_TEXT_CHARS = 256;

/** The text itself when short enough; otherwise its first `maxChars` UTF-16 units (never half a surrogate pair) and `…`. */
export function echo(text: string, maxChars = ECHO_VALUE_CHARS): string {
  if (text.length <= maxChars) return text;
  const cut = /[\uD800-\uDBFF]$/.test(text.slice(0, maxChars)) ? maxChars - 1 : maxChars;
  return `${text.slice(0, cut)}…`;
}

/** A field issue as an answer repeats it: its path and message bounded (the code is ours). */
export function echoIssue(issue: FieldIssue): FieldIssue {
  return { ...issue, field: echo(issue.field, ECHO_TEXT_CHARS), message: echo(issue.message, ECHO_TEXT_CHARS) };
}

/** Every string of an error's details bounded, whatever their shape (details are small objects and lists). */
export function echoDetails(value: unknown): unknown {
  if (typeof value === 'string') return echo(value, ECHO_TEXT_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(echoDetails);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [echo(key, ECHO_TEXT_CHARS), echoDetails(item)]),
  );
}
