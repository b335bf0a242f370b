import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../test/support/platform.js';
import { IdempotencyService } from '../services/idempotency.service.js';
import { handleError } from './errors.js';
import { registerIdempotency } from './idempotency.js';

/**
 * The Idempotency-Key hook holds its reservation while the request runs (a lease of 1 s here), so a retry is told to
 * wait however long the first request takes, and never runs it a second time.
 */
describe('Idempotency-Key while the first request is still running', () => {
  let platform: TestPlatform;
  let app: FastifyInstance;
  let runs = 0;
  let finishFirst = () => {};

  beforeAll(async () => {
    platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined });
    app = Fastify();
    app.setErrorHandler(handleError);
    app.decorateRequest('isMultipart', () => false); // @fastify/multipart's, which this app does not need
    app.addHook('onRequest', async (request) => {
      request.caller = {
        role: 'asset_provider',
        assetProviderStatus: 'active',
        assetProviderId: 'ap-1',
        representativeId: 'rep-1',
      };
    });
    registerIdempotency(
      app,
      new IdempotencyService(platform.storage.idempotency, { now: () => new Date() }, { leaseSeconds: 1 }),
    );
    app.post('/slow', async (_request, reply) => {
      runs++;
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      return reply.code(202).send({ run: runs });
    });
    await app.ready();
  });
  afterAll(async () => {
    finishFirst();
    await app?.close();
    await platform?.close();
  });

  it('answers a retry 409 for as long as the first request runs past its lease, then replays its answer', async () => {
    const post = () =>
      app.inject({ method: 'POST', url: '/slow', payload: { a: 1 }, headers: { 'idempotency-key': 'slow-1' } });
    const first = post();
    await expect.poll(() => runs).toBe(1);
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500)); // 2.5 s in all: the lease would have run out twice
      const retry = await post();
      expect(retry.statusCode).toBe(409);
      expect(retry.json().error.code).toBe('conflict');
    }
    finishFirst();
    expect((await first).json()).toEqual({ run: 1 });
    const replay = await post();
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.json()]).toEqual([
      202,
      'true',
      { run: 1 },
    ]);
    expect(runs).toBe(1);
  }, 20_000);
});
