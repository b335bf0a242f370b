import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { apiClient } from '../../test/support/api.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  nextPod,
  type TestPlatform,
} from '../../test/support/platform.js';
import { MeterGeneration, VoltageLevel } from '../domain/eligibility.js';

describe.each(backends())('API v1 on $name', (backend) => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  let alice: Awaited<ReturnType<typeof makeAssetProvider>>;
  let bob: Awaited<ReturnType<typeof makeAssetProvider>>;
  const asAlice = () => apiClient(platform, alice.token);
  const asBob = () => apiClient(platform, bob.token);

  async function createAssociation(du = makeDu(), client = asAlice()) {
    const [sp] = await addSupplyPoints(platform, {});
    const response = await client.post('/associations', { pod: sp!.pod, du });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body as {
      association: { id: string; pod: string; du: { macAddress: string } };
      request: { id: string };
    };
  }

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target);
    alice = await makeAssetProvider(platform, 'Alice Devices');
    bob = await makeAssetProvider(platform, 'Bob Devices');
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    describe('authentication', () => {
      it('refuses a call without a token with 401 and a WWW-Authenticate header', async () => {
        const response = await apiClient(platform, undefined).get(`/supply-points/${nextPod()}/eligibility`);
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('unauthenticated');
        expect(response.headers['www-authenticate']).toBe('Bearer');
      });

      it('refuses an unknown or revoked token', async () => {
        expect((await apiClient(platform, 'c2_not-a-real-token').get('/associations')).status).toBe(401);
        const carol = await makeAssetProvider(platform);
        expect((await apiClient(platform, carol.token).get('/associations')).status).toBe(200);
        await platform.services.access.revokeTokens({ representativeId: carol.representativeId }, 'test');
        expect((await apiClient(platform, carol.token).get('/associations')).status).toBe(401);
      });

      it('serves health and the OpenAPI document without a token', async () => {
        expect((await platform.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
        const spec = (await platform.app.inject({ url: '/api/v1/openapi.json' })).json();
        expect(spec.openapi).toBe('3.1.0');
        expect(Object.keys(spec.paths)).toEqual(
          expect.arrayContaining([
            '/api/v1/supply-points/{pod}/eligibility',
            '/api/v1/associations',
            '/api/v1/associations/{id}',
            '/api/v1/requests',
            '/api/v1/requests/{id}',
          ]),
        );
        expect(spec.components.schemas.Association.properties.du.properties.encryptionKey).toBeDefined();
        expect(Object.keys(spec.paths['/api/v1/bulk-uploads'].post.requestBody.content)).toEqual(['text/csv']);
        expect(Object.keys(spec.paths['/api/v1/bulk-uploads/{id}/report.csv'].get.responses[200].content)).toEqual([
          'text/csv',
        ]);
      });
    });

    describe('eligibility', () => {
      it.each([
        ['an eligible supply point', {}, true, []],
        ['a medium-voltage supply', { voltageLevel: VoltageLevel.medium }, false, ['not_low_voltage']],
        [
          'a first-generation meter',
          { meterGeneration: MeterGeneration.first, installedInMassPlan: false },
          false,
          ['not_2g_meter'],
        ],
        ['a 2G meter outside the mass plan', { installedInMassPlan: false }, false, ['not_in_mass_plan']],
      ])('answers %s', async (_label, overrides, eligible, reasons) => {
        const [sp] = await addSupplyPoints(platform, overrides);
        const response = await asAlice().get(`/supply-points/${sp!.pod}/eligibility`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ pod: sp!.pod, eligible, reasons });
      });

      it("answers pod_not_found for an unknown POD and other_distributor for another DSO's POD", async () => {
        const unknown = nextPod();
        expect((await asAlice().get(`/supply-points/${unknown}/eligibility`)).body).toEqual({
          pod: unknown,
          eligible: false,
          reasons: ['pod_not_found'],
        });
        const areti = nextPod('002');
        expect((await asAlice().get(`/supply-points/${areti}/eligibility`)).body.reasons).toEqual([
          'other_distributor',
        ]);
      });

      it('normalises a lowercase POD with spaces and refuses a malformed one with 400', async () => {
        const [sp] = await addSupplyPoints(platform, {});
        const response = await asAlice().get(
          `/supply-points/${encodeURIComponent(` ${sp!.pod.toLowerCase()} `)}/eligibility`,
        );
        expect(response.body.pod).toBe(sp!.pod);
        const bad = await asAlice().get('/supply-points/IT001X123/eligibility');
        expect(bad.status).toBe(400);
        expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'pod', code: 'invalid_pod' })]);
      });

      it('reports already_associated once a live association holds the POD', async () => {
        const { association } = await createAssociation();
        expect((await asBob().get(`/supply-points/${association.pod}/eligibility`)).body).toEqual({
          pod: association.pod,
          eligible: false,
          reasons: ['already_associated'],
        });
      });
    });

    describe('association lifecycle', () => {
      it('creates an association as pending with a submitted request, then the workflow makes it active', async () => {
        const [sp] = await addSupplyPoints(platform, {});
        const response = await asAlice().post('/associations', {
          pod: sp!.pod,
          du: makeDu({ macAddress: 'dc:0a:1b:2c:3d:4e' }),
        });
        expect(response.status).toBe(202);
        expect(response.body.association).toMatchObject({
          pod: sp!.pod,
          status: 'pending',
          channel: 'plc_band_c',
          du: {
            name: 'Kitchen display',
            macAddress: 'DC0A1B2C3D4E',
            encryptionKey: '****…EEFF',
            hardwareVersion: 'HW-2.1',
            softwareVersion: 'SW-1.4.0',
          },
        });
        expect(response.body.request).toMatchObject({
          kind: 'create',
          status: 'submitted',
          pod: sp!.pod,
          associationId: response.body.association.id,
        });

        await platform.workflow.drain();
        const association = await asAlice().get(`/associations/${response.body.association.id}`);
        expect(association.body.status).toBe('active');
        const request = await asAlice().get(`/requests/${response.body.request.id}`);
        expect(request.body).toMatchObject({ status: 'completed', reason: null });
        expect(request.body.closedAt).not.toBeNull();
        expect(request.body.history.map((h: { status: string }) => h.status)).toEqual([
          'submitted',
          'queued',
          'taken_in_charge',
          'completed',
        ]);
      });

      it('modifies the DU through a request and applies it when completed, key still masked', async () => {
        const { association } = await createAssociation();
        await platform.workflow.drain();
        const modify = await asAlice().patch(`/associations/${association.id}`, {
          du: { name: 'Hallway', encryptionKey: 'ffeeddccbbaa99887766554433221100' },
        });
        expect(modify.status).toBe(202);
        expect(modify.body.request).toMatchObject({ kind: 'modify', status: 'submitted' });
        expect((await asAlice().get(`/associations/${association.id}`)).body.du.name).toBe('Kitchen display');
        await platform.workflow.drain();
        const after = (await asAlice().get(`/associations/${association.id}`)).body;
        expect(after.du).toMatchObject({
          name: 'Hallway',
          encryptionKey: '****…1100',
          macAddress: association.du.macAddress,
        });
      });

      it('deletes through a request; the POD and the MAC become free again', async () => {
        const { association } = await createAssociation();
        await platform.workflow.drain();
        const removal = await asAlice().delete(`/associations/${association.id}`);
        expect(removal.status).toBe(202);
        expect(removal.body.request.kind).toBe('delete');
        await platform.workflow.drain();
        expect((await asAlice().get(`/associations/${association.id}`)).body.status).toBe('deleted');
        const again = await asBob().post('/associations', {
          pod: association.pod,
          du: makeDu({ macAddress: association.du.macAddress }),
        });
        expect(again.status).toBe(202);
      });

      it('refuses a second change while a request is open on the association', async () => {
        const { association } = await createAssociation();
        const response = await asAlice().delete(`/associations/${association.id}`);
        expect(response.status).toBe(409);
        expect(response.body.error.code).toBe('request_in_progress');
      });

      it('refuses to change a deleted association', async () => {
        const { association } = await createAssociation();
        await platform.workflow.drain();
        await asAlice().delete(`/associations/${association.id}`);
        await platform.workflow.drain();
        const response = await asAlice().patch(`/associations/${association.id}`, { du: { name: 'x' } });
        expect(response.status).toBe(409);
        expect(response.body.error.code).toBe('conflict');
      });
    });

    describe('refusals', () => {
      it('refuses an associated POD to another asset provider with already_associated', async () => {
        const { association } = await createAssociation();
        const response = await asBob().post('/associations', { pod: association.pod, du: makeDu() });
        expect(response.status).toBe(409);
        expect(response.body.error.code).toBe('already_associated');
      });

      it('refuses a MAC address that is in another live association', async () => {
        const { association } = await createAssociation();
        const [other] = await addSupplyPoints(platform, {});
        const response = await asBob().post('/associations', {
          pod: other!.pod,
          du: makeDu({ macAddress: association.du.macAddress }),
        });
        expect(response.status).toBe(409);
        expect(response.body.error.code).toBe('mac_in_use');
        const { association: mine } = await createAssociation();
        await platform.workflow.drain();
        const modify = await asAlice().patch(`/associations/${mine.id}`, {
          du: { macAddress: association.du.macAddress },
        });
        expect(modify.body.error.code).toBe('mac_in_use');
      });

      it('refuses an ineligible supply point with 422 not_eligible and its reasons, writing nothing', async () => {
        const [sp] = await addSupplyPoints(platform, { voltageLevel: VoltageLevel.medium });
        const response = await asAlice().post('/associations', { pod: sp!.pod, du: makeDu() });
        expect(response.status).toBe(422);
        expect(response.body.error).toMatchObject({ code: 'not_eligible', details: { reasons: ['not_low_voltage'] } });
        expect((await asAlice().get(`/associations?pod=${sp!.pod}`)).body.items).toEqual([]);
        expect((await asAlice().get(`/requests?pod=${sp!.pod}`)).body.items).toEqual([]);
      });

      it('names every bad field at once in a 400', async () => {
        const response = await asAlice().post('/associations', {
          pod: 'IT001E1234',
          du: {
            name: ' ',
            macAddress: 'AA0A1B2C3D4E',
            encryptionKey: 'XYZ',
            hardwareVersion: 'h'.repeat(65),
            softwareVersion: 'ok',
          },
        });
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('invalid_input');
        expect(response.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
          'du.encryptionKey',
          'du.hardwareVersion',
          'du.macAddress',
          'du.name',
          'pod',
        ]);
        expect(response.raw).not.toContain('XYZ');
      });

      it.each([
        ['a missing du', { pod: 'IT001E00000001' }, 'du'],
        ['an unknown field', { pod: 'IT001E00000001', du: { ...makeDu(), colour: 'red' } }, 'du.colour'],
        [
          'a number where a string belongs',
          { pod: 'IT001E00000001', du: { ...makeDu(), name: { nested: true } } },
          'du.name',
        ],
      ])('refuses %s with a 400 naming the field', async (_label, body, field) => {
        const response = await asAlice().post('/associations', body);
        expect(response.status).toBe(400);
        expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      });

      it('refuses malformed JSON and an empty modification', async () => {
        const bad = await platform.app.inject({
          method: 'POST',
          url: '/api/v1/associations',
          headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
          payload: '{"pod":',
        });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error.code).toBe('invalid_input');
        const { association } = await createAssociation();
        await platform.workflow.drain();
        const empty = await asAlice().patch(`/associations/${association.id}`, { du: {} });
        expect(empty.status).toBe(400);
        expect(empty.body.error.details[0].code).toBe('empty_change');
      });
    });

    describe('ownership', () => {
      it('hides an association from another asset provider on read, modify and delete (404)', async () => {
        const { association, request } = await createAssociation();
        await platform.workflow.drain();
        for (const response of [
          await asBob().get(`/associations/${association.id}`),
          await asBob().patch(`/associations/${association.id}`, { du: { name: 'mine now' } }),
          await asBob().delete(`/associations/${association.id}`),
          await asBob().get(`/requests/${request.id}`),
        ]) {
          expect(response.status).toBe(404);
          expect(response.body.error.code).toBe('not_found');
        }
        expect((await asBob().get(`/associations?pod=${association.pod}`)).body.items).toEqual([]);
        expect((await asBob().get(`/requests?pod=${association.pod}`)).body.items).toEqual([]);
        expect((await asAlice().get(`/associations/${association.id}`)).body.du.name).toBe('Kitchen display');
      });

      it('answers 404 for an id that is not a UUID', async () => {
        expect((await asAlice().get('/associations/not-a-uuid')).status).toBe(404);
        expect((await asAlice().get('/requests/42')).status).toBe(404);
      });
    });

    describe('listing', () => {
      it('pages through own associations newest first with a cursor, filtered by status', async () => {
        const carol = await makeAssetProvider(platform);
        const asCarol = apiClient(platform, carol.token);
        const created = [];
        for (let i = 0; i < 5; i++) created.push((await createAssociation(makeDu(), asCarol)).association.id);
        const seen: string[] = [];
        let cursor = '';
        for (let page = 0; page < 5; page++) {
          const response = await asCarol.get(`/associations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...response.body.items.map((a: { id: string }) => a.id));
          if (!response.body.nextCursor) break;
          cursor = response.body.nextCursor;
        }
        expect(seen).toEqual(created.reverse());
        expect((await asCarol.get('/associations?status=active')).body.items).toEqual([]);
        await platform.workflow.drain();
        expect((await asCarol.get('/associations?status=active')).body.items).toHaveLength(5);
      });

      it('lists open and closed requests and filters by kind and POD', async () => {
        const carol = await makeAssetProvider(platform);
        const asCarol = apiClient(platform, carol.token);
        const { association } = await createAssociation(makeDu(), asCarol);
        expect((await asCarol.get('/requests?state=open')).body.items.map((r: { kind: string }) => r.kind)).toEqual([
          'create',
        ]);
        await platform.workflow.drain();
        expect((await asCarol.get('/requests?state=open')).body.items).toEqual([]);
        await asCarol.delete(`/associations/${association.id}`);
        expect((await asCarol.get('/requests?state=closed')).body.items.map((r: { kind: string }) => r.kind)).toEqual([
          'create',
        ]);
        expect((await asCarol.get('/requests?kind=delete')).body.items).toHaveLength(1);
        expect((await asCarol.get(`/requests?pod=${association.pod}`)).body.items).toHaveLength(2);
      });

      it('refuses a forged cursor, an out-of-range limit and an unknown filter', async () => {
        expect((await asAlice().get('/associations?cursor=bm9wZQ')).body.error.details[0].field).toBe('cursor');
        expect((await asAlice().get('/associations?limit=1000')).status).toBe(400);
        expect((await asAlice().get('/requests?state=pending')).status).toBe(400);
      });
    });

    describe('idempotency', () => {
      it('answers a retry with the same Idempotency-Key with the first answer and makes no second request', async () => {
        const [sp] = await addSupplyPoints(platform, {});
        const body = { pod: sp!.pod, du: makeDu() };
        const first = await asAlice().post('/associations', body, { 'idempotency-key': 'retry-1' });
        const second = await asAlice().post('/associations', body, { 'idempotency-key': 'retry-1' });
        expect(first.status).toBe(202);
        expect(second.status).toBe(202);
        expect(second.body).toEqual(first.body);
        expect(second.headers['idempotent-replayed']).toBe('true');
        expect((await asAlice().get(`/requests?pod=${sp!.pod}`)).body.items).toHaveLength(1);
      });

      it('refuses the same key with another body, and keeps keys apart per asset provider', async () => {
        const [a, b] = await addSupplyPoints(platform, {}, {});
        await asAlice().post('/associations', { pod: a!.pod, du: makeDu() }, { 'idempotency-key': 'k-2' });
        const reused = await asAlice().post(
          '/associations',
          { pod: b!.pod, du: makeDu() },
          { 'idempotency-key': 'k-2' },
        );
        expect(reused.status).toBe(422);
        expect(reused.body.error.code).toBe('idempotency_key_reused');
        const bobs = await asBob().post('/associations', { pod: b!.pod, du: makeDu() }, { 'idempotency-key': 'k-2' });
        expect(bobs.status).toBe(202);
      });

      it('replays a refusal too, so a retry cannot turn a 409 into a second attempt', async () => {
        const { association } = await createAssociation();
        const body = { pod: association.pod, du: makeDu() };
        const first = await asBob().post('/associations', body, { 'idempotency-key': 'k-3' });
        const again = await asBob().post('/associations', body, { 'idempotency-key': 'k-3' });
        expect([first.status, again.status]).toEqual([409, 409]);
        expect(again.headers['idempotent-replayed']).toBe('true');
      });
    });

    describe('secrets', () => {
      it('never returns, logs or stores the DU key in clear', async () => {
        const secret = 'C0FFEE00C0FFEE00C0FFEE00BADC0DE5';
        const { association, request } = await createAssociation(makeDu({ encryptionKey: secret.toLowerCase() }));
        await platform.workflow.drain();
        const responses = [
          await asAlice().get(`/associations/${association.id}`),
          await asAlice().get('/associations'),
          await asAlice().get(`/requests/${request.id}`),
        ];
        for (const r of responses) expect(r.raw.toUpperCase()).not.toContain(secret);
        expect(platform.logs.join('').toUpperCase()).not.toContain(secret);
        const dump = await platform.database.pool.query(
          `SELECT a::text AS row FROM associations a UNION ALL SELECT r::text FROM requests r UNION ALL SELECT i::text FROM idempotency_keys i`,
        );
        expect(
          dump.rows
            .map((r) => r.row)
            .join('\n')
            .toUpperCase(),
        ).not.toContain(secret);
        expect(platform.logs.join('')).not.toContain(alice.token);
      });
    });
  });
});
