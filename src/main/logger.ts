import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Config } from '../config.js';
import { LOG_REDACTIONS } from '../http/app.js';
import { REQUEST_LINE_MESSAGE, type RequestLine } from '../http/request-log.js';

/** Fields a person at a terminal does not need on each line (the JSON format keeps them); `http` becomes the message. */
const HIDDEN_WHEN_PRETTY = ['pid', 'hostname', 'reqId', 'http'];

/** The request line as a person reads it: `GET /api/v1/… 200 1.3 ms`. */
function messageOf(log: Record<string, unknown>, messageKey: string): string {
  const message = String(log[messageKey] ?? '');
  const http = log.http as RequestLine | undefined;
  return message === REQUEST_LINE_MESSAGE && http
    ? `${http.method} ${http.url} ${http.statusCode} ${http.responseTimeMs} ms`
    : message;
}

/**
 * The platform's logger: pino at `logLevel`, credentials redacted before any format sees them. `json`: one object
 * per line. `pretty`: pino-pretty as a synchronous stream in this thread, not a transport (a worker thread whose
 * buffer a killed process would lose), one line per event with its time of day. `destination`: stdout by default.
 */
export function loggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  destination?: NodeJS.WritableStream,
): NonNullable<FastifyServerOptions['logger']> {
  const base = { level: config.logLevel, redact: LOG_REDACTIONS };
  if (config.logFormat === 'json') return destination ? { ...base, stream: destination } : base;
  const stream = pinoPretty({
    sync: true,
    destination: destination ?? 1,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: HIDDEN_WHEN_PRETTY.join(','),
    messageFormat: (log, messageKey) => messageOf(log, messageKey),
  });
  return { ...base, stream };
}

/**
 * The logger itself, made before the app so that every part of the platform gets it at construction (the field
 * network, the workflow, the app). Credentials are redacted whatever the options say.
 */
export function createLogger(options: NonNullable<FastifyServerOptions['logger']>): FastifyBaseLogger {
  if (options === false) return pino({ enabled: false });
  const { stream, ...settings } = (options === true ? {} : options) as LoggerOptions & { stream?: DestinationStream };
  const withRedaction = { ...settings, redact: [...new Set([...LOG_REDACTIONS, ...redactedPaths(settings.redact)])] };
  return stream ? pino(withRedaction, stream) : pino(withRedaction);
}

function redactedPaths(redact: LoggerOptions['redact']): string[] {
  return Array.isArray(redact) ? redact : (redact?.paths ?? []);
}
