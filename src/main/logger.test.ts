import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('loggerOptions', () => {
  for (const logFormat of ['json', 'pretty'] as const) {
    it(`redacts credentials before the ${logFormat} format sees them`, async () => {
      const { lines, destination } = capture();
      const app = Fastify({ logger: loggerOptions({ logLevel: 'info', logFormat }, destination) });
      // Fastify's own request serializer drops headers; a logger that keeps them still never writes the credentials.
      const keepsHeaders = app.log.child({}, { serializers: { req: (req: unknown) => req } });
      keepsHeaders.info(
        { req: { headers: { authorization: 'Bearer c2t_secret', cookie: 'c2_session=secret', accept: 'text/csv' } } },
        'a request as a careless log line holds it',
      );
      await app.close();
      const text = lines.join('\n');
      expect(text).toContain('a request as a careless log line holds it');
      expect(text).not.toContain('secret');
      expect(text).toContain('[Redacted]');
      expect(text).toContain('text/csv');
    });
  }

  it('writes a pretty line before the log call returns (nothing waits in a buffer or another thread for a killed process to lose)', async () => {
    const { lines, destination } = capture();
    const app = Fastify({ logger: loggerOptions({ logLevel: 'info', logFormat: 'pretty' }, destination) });
    app.log.warn({ meters: 3 }, 'field network restored');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: field network restored \{"meters":3\}$/);
    await app.close();
  });
});
