import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import { apiClient } from '../../test/support/api.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  makeOperator,
  type TestPlatform,
} from '../../test/support/platform.js';

/** A DU model's test as the operators' form sends it: fields and the report file. */
function duModelForm(fields: Record<string, string>, report: { name: string; content: string } | null) {
  const boundary = '----chain2test';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  if (report)
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="report"; filename="${report.name}"\r\nContent-Type: application/pdf\r\n\r\n${report.content}\r\n`,
    );
  return {
    payload: `${parts.join('')}--${boundary}--\r\n`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe.each(backends())('onboarding of asset providers on $name', (backend) => {
  let platform: TestPlatform;
  let scratch: ScratchDatabase;
  let operator: ReturnType<typeof apiClient>;
  let operatorToken: string;
  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target);
    operatorToken = (await makeOperator(platform)).token;
    operator = apiClient(platform, operatorToken);
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    const uploadModel = (
      id: string,
      fields: Record<string, string>,
      report: { name: string; content: string } | null = {
        name: 'test-report.pdf',
        content: '%PDF-1.4 integration test passed',
      },
    ) =>
      platform.app.inject({
        method: 'POST',
        url: `/api/v1/asset-providers/${id}/du-models`,
        ...duModelForm(fields, report),
        headers: { ...duModelForm(fields, report).headers, authorization: `Bearer ${operatorToken}` },
      });
    const model = { hardwareVersion: 'HW-9', softwareVersion: 'SW-9.0', outcome: 'passed', testedOn: '2026-01-15' };

    it('takes an asset provider from application to active, records every step with who and when, and its representatives log in', async () => {
      const applied = await operator.post('/asset-providers', {
        name: 'Nuova Domotica S.r.l.',
        vatNumber: 'IT 12345678901',
      });
      expect(applied.status).toBe(201);
      expect(applied.body).toMatchObject({
        status: 'applied',
        vatNumber: 'IT12345678901',
        contract: null,
        duModels: [],
        representatives: [],
      });
      const id = applied.body.id;

      const early = await operator.post(`/asset-providers/${id}/consent`, {
        signedOn: '2026-01-20',
        representatives: [{ email: 'a@nd.example', fullName: 'A' }],
      });
      expect([early.status, early.body.error.code]).toEqual([409, 'onboarding_step_out_of_order']);

      const contract = await operator.post(`/asset-providers/${id}/contract`, {
        pecReference: 'PEC-2026-000123',
        receivedOn: '2026-01-10',
      });
      expect(contract.body).toMatchObject({
        status: 'contract_received',
        contract: { pecReference: 'PEC-2026-000123', receivedOn: '2026-01-10' },
      });

      const failed = await uploadModel(id, { ...model, softwareVersion: 'SW-8.9', outcome: 'failed' });
      expect(failed.json().status).toBe('contract_received');
      const passed = await uploadModel(id, model);
      expect(passed.statusCode).toBe(200);
      expect(passed.json()).toMatchObject({
        status: 'du_certified',
        duModels: [{ outcome: 'failed' }, { ...model, reportFileName: 'test-report.pdf' }],
      });
      const report = await platform.app.inject({
        method: 'GET',
        url: passed.json().duModels[1].reportUrl,
        headers: { authorization: `Bearer ${operatorToken}` },
      });
      expect([
        report.statusCode,
        report.body,
        report.headers['content-type'],
        report.headers['content-disposition'],
      ]).toEqual([
        200,
        '%PDF-1.4 integration test passed',
        'application/pdf',
        'attachment; filename="test-report.pdf"; filename*=UTF-8\'\'test-report.pdf',
      ]);

      const four = [1, 2, 3, 4].map((n) => ({ email: `rep${n}@nd.example`, fullName: `Rep ${n}` }));
      const tooMany = await operator.post(`/asset-providers/${id}/consent`, {
        signedOn: '2026-01-20',
        representatives: four,
      });
      expect([tooMany.status, tooMany.body.error.code]).toEqual([422, 'too_many_representatives']);
      const consent = await operator.post(`/asset-providers/${id}/consent`, {
        signedOn: '2026-01-20',
        representatives: four.slice(0, 2),
      });
      expect(consent.status).toBe(200);
      expect(consent.headers['cache-control']).toBe('no-store');
      expect(consent.body).toMatchObject({
        status: 'consent_received',
        representatives: [
          { email: 'rep1@nd.example', activated: false },
          { email: 'rep2@nd.example', activated: false },
        ],
      });
      const [link] = consent.body.activationLinks;
      expect(link.url).toMatch(/^http:\/\/localhost(:\d+)?\/activate#token=[\w-]{43}$/);

      // Not active yet: the representative can set a password, log in, but not use the services.
      const token = link.url.split('#token=')[1];
      expect(
        (
          await platform.app.inject({
            method: 'POST',
            url: '/api/v1/activation',
            payload: { token, password: 'short' },
          })
        ).json().error.details[0].field,
      ).toBe('password');
      expect(
        (
          await platform.app.inject({
            method: 'POST',
            url: '/api/v1/activation',
            payload: { token, password: 'a long enough password' },
          })
        ).statusCode,
      ).toBe(204);
      const reused = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/activation',
        payload: { token, password: 'another long password' },
      });
      expect([reused.statusCode, reused.json().error.code]).toEqual([410, 'activation_expired']);
      const login = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'rep1@nd.example', password: 'a long enough password' },
      });
      expect(login.json().user.assetProvider).toMatchObject({ id, status: 'consent_received' });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const [point] = await addSupplyPoints(platform);
      const notYet = await platform.app.inject({
        method: 'GET',
        url: `/api/v1/supply-points/${point!.pod}/eligibility`,
        headers: { cookie },
      });
      expect([notYet.statusCode, notYet.json().error.code]).toEqual([403, 'asset_provider_not_active']);

      const active = await operator.post(`/asset-providers/${id}/activate`, {});
      expect(active.body.status).toBe('active');
      expect(
        (
          await platform.app.inject({
            method: 'GET',
            url: `/api/v1/supply-points/${point!.pod}/eligibility`,
            headers: { cookie },
          })
        ).statusCode,
      ).toBe(200);

      const detail = (await operator.get(`/asset-providers/${id}`)).body;
      expect(detail.representatives[0].activated).toBe(true);
      expect(detail.events.map((e: { action: string }) => e.action)).toEqual([
        'applied',
        'contract',
        'du_model_failed',
        'du_model_certified',
        'consent',
        'representative_activated',
        'activate',
      ]);
      expect(detail.events[0].actor).toEqual({ name: 'Test Operator', email: expect.stringMatching(/@dso\.test$/) });
      expect(detail.events[5].actor).toEqual({ name: 'Rep 1', email: 'rep1@nd.example' });
      expect(JSON.stringify(detail)).not.toContain(token);
      expect(platform.logs.join('\n')).not.toContain(token);
    });

    it('refuses bad input by field, and a step the status does not allow', async () => {
      const bad = await operator.post('/asset-providers', { name: ' ', vatNumber: '123' });
      expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['name', 'vatNumber']);
      const { body: ap } = await operator.post('/asset-providers', { name: 'Prova S.r.l.', vatNumber: '10987654321' });
      expect(
        (await operator.post('/asset-providers', { name: 'Prova S.r.l.', vatNumber: '10987654322' })).body.error.code,
      ).toBe('conflict');
      const future = await operator.post(`/asset-providers/${ap.id}/contract`, {
        pecReference: 'PEC-1',
        receivedOn: '2999-01-01',
      });
      expect(future.body.error.details).toEqual([
        { field: 'receivedOn', code: 'future_date', message: 'receivedOn cannot be in the future' },
      ]);
      expect(
        (await operator.post(`/asset-providers/${ap.id}/contract`, { pecReference: 'PEC-1', receivedOn: '2026-02-30' }))
          .body.error.details[0].code,
      ).toBe('invalid_date');
      expect((await uploadModel(ap.id, model)).json().error.code).toBe('onboarding_step_out_of_order');
      await operator.post(`/asset-providers/${ap.id}/contract`, { pecReference: 'PEC-1', receivedOn: '2026-02-01' });
      const noReport = await uploadModel(ap.id, { ...model, outcome: 'maybe' }, null);
      expect(noReport.json().error.details.map((d: { field: string }) => d.field)).toEqual(['outcome', 'report']);
      expect((await operator.post(`/asset-providers/${ap.id}/activate`, {})).body.error.code).toBe(
        'onboarding_step_out_of_order',
      );
      expect((await operator.get('/asset-providers/00000000-0000-7000-8000-000000000000')).status).toBe(404);
      expect((await operator.get('/asset-providers/not-an-id')).status).toBe(404);
    });

    it('is for operators only', async () => {
      const rep = apiClient(platform, (await makeAssetProvider(platform)).token);
      expect((await rep.get('/asset-providers')).status).toBe(403);
      expect((await rep.post('/asset-providers', { name: 'Me', vatNumber: '11111111111' })).status).toBe(403);
    });

    it('accepts associations only for DU models certified for that asset provider: create, modify and bulk', async () => {
      const ap = await makeAssetProvider(platform);
      const rep = apiClient(platform, ap.token);
      const [a, b, c] = await addSupplyPoints(platform, {}, {}, {});
      const uncertified = await rep.post(
        '/associations',
        { pod: a!.pod, du: makeDu({ hardwareVersion: 'HW-9', softwareVersion: 'SW-9.0' }) },
        { 'idempotency-key': 'u1' },
      );
      expect([uncertified.status, uncertified.body.error.code, uncertified.body.error.details[0].field]).toEqual([
        422,
        'du_model_not_certified',
        'du.hardwareVersion',
      ]);
      const created = await rep.post('/associations', { pod: a!.pod, du: makeDu() }, { 'idempotency-key': 'u2' });
      expect(created.status).toBe(202);
      await platform.workflow.drain();
      const modify = await rep.patch(`/associations/${created.body.association.id}`, {
        du: { softwareVersion: 'SW-9.0' },
      });
      expect([modify.status, modify.body.error.code, modify.body.error.details[0].field]).toEqual([
        422,
        'du_model_not_certified',
        'du.softwareVersion',
      ]);
      expect(
        (
          await rep.patch(`/associations/${created.body.association.id}`, {
            du: { hardwareVersion: 'HW-3', softwareVersion: 'SW-2' },
          })
        ).status,
      ).toBe(202);

      const csv = [
        'POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW',
        `${b!.pod};Uno;${makeDu().macAddress};00112233445566778899AABBCCDDEEFF;HW-2.1;SW-1.4.0`,
        `${c!.pod};Due;${makeDu().macAddress};00112233445566778899AABBCCDDEEFF;HW-9;SW-9.0`,
      ].join('\n');
      const upload = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/bulk-uploads',
        payload: csv,
        headers: { authorization: `Bearer ${ap.token}`, 'content-type': 'text/csv' },
      });
      const report = (await rep.get(`/bulk-uploads/${upload.json().id}`)).body.rows;
      expect(report.map((r: { status: string }) => r.status)).toEqual([
        expect.stringMatching(/submitted|queued|taken_in_charge|completed/),
        'invalid',
      ]);
      expect(report[1].issues).toEqual([
        {
          field: 'VERSIONE_HW',
          code: 'du_model_not_certified',
          message: 'HW-9 / SW-9.0 is not a DU model certified for this asset provider',
        },
      ]);
    });

    it("refuses a suspended asset provider's representatives every online service until reinstated", async () => {
      const ap = await makeAssetProvider(platform, undefined, { password: 'a long enough password' });
      const login = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: ap.email, password: 'a long enough password' },
      });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const csrf = login.json().csrfToken;
      const [point, asked] = await addSupplyPoints(platform, {}, {});
      // A request made before the suspension is refused when the workflow reaches it, not carried out.
      const before = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/associations',
        payload: { pod: asked!.pod, du: makeDu() },
        headers: { cookie, 'x-csrf-token': csrf, 'idempotency-key': 'before' },
      });
      expect(before.statusCode).toBe(202);
      const suspended = await operator.post(`/asset-providers/${ap.assetProviderId}/suspend`, {
        reason: 'Contract expired',
      });
      expect(suspended.body).toMatchObject({ status: 'suspended', suspensionReason: 'Contract expired' });
      const calls = [
        { method: 'GET' as const, url: `/api/v1/supply-points/${point!.pod}/eligibility` },
        { method: 'GET' as const, url: '/api/v1/associations' },
        {
          method: 'POST' as const,
          url: '/api/v1/associations',
          payload: { pod: point!.pod, du: makeDu() },
          headers: { 'x-csrf-token': csrf, 'idempotency-key': 's1' },
        },
      ];
      for (const call of calls) {
        const refused = await platform.app.inject({ ...call, headers: { ...call.headers, cookie } });
        expect([refused.statusCode, refused.json().error.code, refused.json().error.message]).toEqual([
          403,
          'asset_provider_not_active',
          "Your asset provider's access to the online services is suspended: contact the DSO",
        ]);
      }
      await platform.workflow.drain();
      const refusedRequest = await platform.storage.requests.findOwned(ap.assetProviderId, before.json().request.id);
      expect([refusedRequest?.status, refusedRequest?.reason]).toEqual(['rejected', 'asset_provider_not_active']);
      expect((await platform.storage.associations.find(before.json().association.id))?.status).toBe('rejected');
      // The portal still opens, and says why.
      const session = await platform.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
      expect(session.json().user.assetProvider.status).toBe('suspended');
      expect((await operator.post(`/asset-providers/${ap.assetProviderId}/reinstate`, {})).body).toMatchObject({
        status: 'active',
        suspensionReason: null,
      });
      expect(
        (await platform.app.inject({ method: 'GET', url: '/api/v1/associations', headers: { cookie } })).statusCode,
      ).toBe(200);
    });
  });
});
