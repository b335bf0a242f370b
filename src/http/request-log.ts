import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** The message of the request line; a log format may show its `http` fields in its place (src/main/logger.ts). */
export const REQUEST_LINE_MESSAGE = 'request';

/** The request line's `http` field: never headers or bodies (credentials travel in headers, DU keys in bodies). */
export interface RequestLine {
  method: string;
  url: string;
  statusCode: number;
  /** From the request's arrival to the answer's last byte (ms, to 0.1 ms). */
  responseTimeMs: number;
}

/**
 * Fastify's request lines, shortened: instead of two lines per request at info ("incoming request", "request
 * completed"), which filled the demo's terminal under any load, one line at debug once the answer has gone —
 * method, address, status, time — or at error when sending the answer failed. Fastify's other lines are kept.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const http: RequestLine = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ http, err: error }, REQUEST_LINE_MESSAGE);
    else request.log.debug({ http }, REQUEST_LINE_MESSAGE);
  }
}
