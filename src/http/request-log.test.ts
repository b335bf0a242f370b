import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../main/logger.js';
import { RequestLog } from './request-log.js';

const TOKEN = 'c2t_secret-token-never-logged';

/** An app logging as the platform's does: its logger, its request lines. */
async function appLogging(logLevel: 'info' | 'debug', logFormat: 'json' | 'pretty') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = Fastify({ logger: loggerOptions({ logLevel, logFormat }, destination), logController: new RequestLog() });
  app.get('/api/v1/supply-points/:pod/eligibility', async () => ({ eligible: true }));
  await app.ready();
  const answer = await app.inject({
    url: '/api/v1/supply-points/IT001E12345678/eligibility',
    headers: { authorization: `Bearer ${TOKEN}`, cookie: `c2_session=${TOKEN}` },
  });
  expect(answer.statusCode).toBe(200);
  await app.close();
  return lines;
}

describe('RequestLog', () => {
  it('logs one JSON line per request at debug: method, address, status and time, never a header', async () => {
    const lines = await appLogging('debug', 'json');
    const requestLines = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 20,
      http: {
        method: 'GET',
        url: '/api/v1/supply-points/IT001E12345678/eligibility',
        statusCode: 200,
        responseTimeMs: expect.any(Number),
      },
    });
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toMatch(/authorization|cookie/i);
  });

  it("writes nothing for a request at info, the demo's level", async () => {
    expect(await appLogging('info', 'json')).toEqual([]);
  });

  it('reads as one short line in the pretty format', async () => {
    const lines = await appLogging('debug', 'pretty');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] DEBUG: GET \/api\/v1\/supply-points\/IT001E12345678\/eligibility 200 \d+(\.\d)? ms$/,
    );
  });
});
