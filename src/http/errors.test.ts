import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError } from './errors.js';

/** What no route of ours raises today but a framework or plugin might: the error table's last resorts. */
describe('errors the table does not name', () => {
  const logs: { level: number; msg: string }[] = [];
  const app = Fastify({
    logger: {
      level: 'info',
      stream: new Writable({
        write(chunk, _enc, done) {
          logs.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    },
  });
  const raise = (statusCode: number | undefined) =>
    Object.assign(new Error('a plugin refused'), { code: 'FST_SOME_PLUGIN', statusCode });
  beforeAll(async () => {
    app.setErrorHandler(handleError);
    app.get('/client/:status', async (request) => {
      throw raise(Number((request.params as { status: string }).status));
    });
    app.get('/defect', async () => {
      throw new Error('a bug');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it.each([405, 406, 414, 451])(
    "answers a plugin's %i (the client's mistake) with 400 invalid_input, logged at info",
    async (status) => {
      const before = logs.length;
      const answer = await app.inject({ url: `/client/${status}` });
      expect([answer.statusCode, answer.json()]).toEqual([
        400,
        { error: { code: 'invalid_input', message: 'The request cannot be read' } },
      ]);
      expect(
        logs
          .slice(before)
          .filter((l) => l.msg === 'request refused')
          .map((l) => l.level),
      ).toEqual([30]);
    },
  );

  it('answers anything else with 500 internal_error, logged as an error with its stack', async () => {
    const before = logs.length;
    const answer = await app.inject({ url: '/defect' });
    expect([answer.statusCode, answer.json().error.code]).toEqual([500, 'internal_error']);
    expect(
      logs
        .slice(before)
        .filter((l) => l.level === 50)
        .map((l) => l.msg),
    ).toEqual(['unexpected error']);
  });
});
