import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../test/support/api.js';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import {
  addSupplyPoints,
  createTestPlatform,
  INSTANT_FIELD_NETWORK,
  makeAssetProvider,
  makeDu,
  manualClock,
  nextPod,
  type TestPlatform,
} from '../../test/support/platform.js';
import { VoltageLevel, type SupplyPoint } from '../domain/eligibility.js';

const HEADER = 'POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW';
const DAY_MS = 24 * 60 * 60 * 1000;

function csvRow(pod: string, du = makeDu(), separator = ';'): string {
  return [pod, du.name, du.macAddress, du.encryptionKey, du.hardwareVersion, du.softwareVersion].join(separator);
}

async function uploadTo(platform: TestPlatform, token: string, body: string | Buffer, contentType = 'text/csv') {
  const response = await platform.app.inject({
    method: 'POST',
    url: '/api/v1/bulk-uploads?fileName=associazioni.csv',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    payload: body,
  });
  return { status: response.statusCode, body: response.json() };
}

/**
 * The issue's scenario: a 150-row upload gives exactly 100 taken in charge and 50 `quota_deferred`, a single
 * association is not held back, and the 50 proceed when the clock moves 24 h.
 */
async function quotaScenario(
  platform: TestPlatform,
  clock: ReturnType<typeof manualClock>,
  site: Partial<SupplyPoint> = {},
) {
  const eligiblePods = async (count: number) =>
    (await addSupplyPoints(platform, ...Array.from({ length: count }, () => site))).map((sp) => sp.pod);
  const ap = await makeAssetProvider(platform);
  const pods = await eligiblePods(150);
  const created = await uploadTo(platform, ap.token, [HEADER, ...pods.map((pod) => csvRow(pod))].join('\n'));
  expect(created.status).toBe(202);
  expect(created.body).toMatchObject({
    rows: 150,
    status: 'processing',
    fileName: 'associazioni.csv',
    counts: { total: 150, queued: 150 },
  });

  await platform.workflow.drain();
  const after = (await apiClient(platform, ap.token).get(`/bulk-uploads/${created.body.id}`)).body;
  expect(after.counts).toEqual({
    total: 150,
    invalid: 0,
    notEligible: 0,
    queued: 50,
    takenInCharge: 0,
    completed: 100,
    rejected: 0,
    failed: 0,
  });
  const deferred = after.rows.filter((r: { status: string }) => r.status === 'queued');
  expect(deferred.every((r: { reason: string }) => r.reason === 'quota_deferred')).toBe(true);
  expect(deferred.map((r: { line: number }) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => 102 + i));

  // A single association through the API is not the bulk service's: the quota does not hold it back.
  const [single] = await eligiblePods(1);
  const one = await apiClient(platform, ap.token).post('/associations', { pod: single, du: makeDu() });
  await platform.workflow.drain();
  expect((await apiClient(platform, ap.token).get(`/requests/${one.body.request.id}`)).body.status).toBe('completed');

  clock.advance(DAY_MS - 60_000);
  await platform.workflow.drain();
  expect((await apiClient(platform, ap.token).get(`/bulk-uploads/${created.body.id}`)).body.counts.completed).toBe(100);
  clock.advance(60_001);
  await platform.workflow.drain();
  const done = (await apiClient(platform, ap.token).get(`/bulk-uploads/${created.body.id}`)).body;
  expect(done).toMatchObject({ status: 'completed', counts: { completed: 150, queued: 0 } });
  const history = (await apiClient(platform, ap.token).get(`/requests/${deferred[0].requestId}`)).body.history;
  expect(history.map((h: { status: string; reason: string | null }) => `${h.status}:${h.reason}`)).toEqual([
    'submitted:null',
    'queued:null',
    'queued:quota_deferred',
    'taken_in_charge:null',
    'completed:null',
  ]);
}

/** The same scenario through the real workflow: pg-boss jobs program simulated meters. */
describe.each(backends())('bulk quota through the telemanagement workflow on $name', (backend) => {
  it.skipIf(!backend.available)(
    'takes 100 of 150 in charge, defers 50, and programs those 24 h later',
    async () => {
      const scratch = await backend.create();
      const clock = manualClock();
      const platform = await createTestPlatform(scratch.target, INSTANT_FIELD_NETWORK, { clock });
      try {
        await platform.storage.supplyPoints.insertConcentrators([
          { concentratorId: 'CN000001', substation: 'Cabina 1' },
        ]);
        await platform.workflow.start();
        await quotaScenario(platform, clock, { concentratorId: 'CN000001' });
        expect(platform.fieldNetwork!.counters().done).toBe(151);
      } finally {
        await platform.close();
        await scratch.drop();
      }
    },
    60_000,
  );
});

describe.each(backends())('bulk uploads on $name', (backend) => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  const clock = manualClock();

  const upload = (token: string, body: string | Buffer, contentType = 'text/csv') =>
    uploadTo(platform, token, body, contentType);
  async function eligiblePods(count: number): Promise<string[]> {
    return (await addSupplyPoints(platform, ...Array.from({ length: count }, () => ({})))).map((sp) => sp.pod);
  }

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target, { BULK_MAX_ROWS: '400' }, { clock });
  });
  afterAll(async () => {
    await platform?.close();
    await scratch?.drop();
  });

  describe.skipIf(!backend.available)('', () => {
    it('takes exactly 100 of 150 rows in charge, defers 50 as quota_deferred, and takes those 24 h later', async () => {
      await quotaScenario(platform, clock);
    });

    it('counts the quota across uploads of one asset provider, not across asset providers', async () => {
      const [ap, other] = [await makeAssetProvider(platform), await makeAssetProvider(platform)];
      for (const token of [ap.token, ap.token, other.token]) {
        const pods = await eligiblePods(60);
        expect((await upload(token, [HEADER, ...pods.map((pod) => csvRow(pod))].join('\n'))).status).toBe(202);
      }
      await platform.workflow.drain();
      const mine = (await apiClient(platform, ap.token).get('/bulk-uploads')).body.items;
      expect(mine.map((u: { counts: { completed: number } }) => u.counts.completed).sort()).toEqual([40, 60]);
      const theirs = (await apiClient(platform, other.token).get('/bulk-uploads')).body.items;
      expect(theirs.map((u: { counts: { completed: number } }) => u.counts.completed)).toEqual([60]);
    });

    it.runIf(backend.name === 'PostgreSQL')(
      'lets no race through the quota when several workers take requests in charge at once',
      async () => {
        const second = await createTestPlatform(scratch.target, {}, { clock });
        try {
          const ap = await makeAssetProvider(platform);
          const pods = await eligiblePods(130);
          const created = await upload(ap.token, [HEADER, ...pods.map((pod) => csvRow(pod))].join('\n'));
          await Promise.all([
            platform.workflow.drain(),
            platform.workflow.drain(),
            second.workflow.drain(),
            second.workflow.drain(),
          ]);
          const counts = (await apiClient(platform, ap.token).get(`/bulk-uploads/${created.body.id}`)).body.counts;
          expect(counts).toMatchObject({ completed: 100, queued: 30 });
        } finally {
          await second.close();
        }
      },
    );

    it('reports each bad row with its line and field, and turns only the good ones into requests', async () => {
      const ap = await makeAssetProvider(platform);
      const [good, duplicated] = await eligiblePods(2);
      const [mediumVoltage] = await addSupplyPoints(platform, { voltageLevel: VoltageLevel.medium });
      const taken = makeDu();
      const lines = [
        HEADER,
        csvRow(good!), // line 2: request
        csvRow('IT001E123', makeDu({ macAddress: 'XX' })), // line 3: POD and MAC invalid
        csvRow(mediumVoltage!.pod), // line 4: not eligible
        csvRow(duplicated!, taken), // line 5: request
        '', // blank lines are skipped
        csvRow(duplicated!), // line 7: POD repeated
        `${nextPod()};only;three`, // line 8: wrong number of fields
        csvRow(nextPod(), taken), // line 9: MAC repeated (and unknown POD)
      ];
      const created = await upload(ap.token, lines.join('\r\n'));
      expect(created.status).toBe(202);
      const report = (await apiClient(platform, ap.token).get(`/bulk-uploads/${created.body.id}`)).body;
      const byLine = Object.fromEntries(report.rows.map((r: { line: number }) => [r.line, r]));
      expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 7, 8, 9]);
      expect(byLine[2]).toMatchObject({ status: 'submitted', eligibility: { eligible: true, reasons: [] } });
      expect(byLine[2].requestId).toEqual(expect.any(String));
      expect(byLine[3]).toMatchObject({ status: 'invalid', eligibility: null, requestId: null });
      expect(byLine[3].issues.map((i: { field: string }) => i.field)).toEqual(['POD', 'MAC_ADDRESS']);
      expect(byLine[4]).toMatchObject({
        status: 'not_eligible',
        eligibility: { eligible: false, reasons: ['not_low_voltage'] },
      });
      expect(byLine[7].issues).toEqual([
        expect.objectContaining({ field: 'POD', code: 'duplicate_pod', message: 'POD already on line 5 of this file' }),
      ]);
      expect(byLine[8].issues[0].code).toBe('wrong_column_count');
      expect(byLine[9].issues[0]).toMatchObject({ field: 'MAC_ADDRESS', code: 'duplicate_mac_address' });
      expect(report.counts).toMatchObject({ total: 7, invalid: 4, notEligible: 1, queued: 2 });
    });

    it('writes the report as a spreadsheet CSV with Italian headers', async () => {
      const ap = await makeAssetProvider(platform);
      const [pod] = await eligiblePods(1);
      const created = await upload(ap.token, `${HEADER}\n${csvRow(pod!)}\n${csvRow('bad;pod')}\n`);
      await platform.workflow.drain();
      const response = await platform.app.inject({
        url: `/api/v1/bulk-uploads/${created.body.id}/report.csv`,
        headers: { authorization: `Bearer ${ap.token}` },
      });
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      const [header, first, second] = response.body.replace(/^\uFEFF/, '').split('\r\n');
      expect(header).toBe('Riga;POD;Idoneo;Motivi_non_idoneita;Stato;Motivo;Dettaglio;ID_richiesta');
      expect(first).toMatch(new RegExp(`^2;${pod};SI;;completed;;;[0-9a-f-]{36}$`));
      expect(second!.startsWith('3;')).toBe(true);
      expect(second).toContain('wrong_column_count');
    });

    it('accepts a comma-separated file with a BOM and quoted fields', async () => {
      const ap = await makeAssetProvider(platform);
      const [pod] = await eligiblePods(1);
      const du = makeDu({ name: 'Soggiorno, piano terra' });
      const body = `\uFEFF${HEADER.replaceAll(';', ',')}\n${pod},"${du.name}",${du.macAddress},${du.encryptionKey},${du.hardwareVersion},${du.softwareVersion}\n`;
      const created = await upload(ap.token, body);
      expect(created.status).toBe(202);
      expect(created.body.counts).toMatchObject({ total: 1, queued: 1, invalid: 0 });
    });

    it.each([
      ['a wrong header', 'POD;NAME;MAC\nIT001E00000001;a;b\n', 400, 'invalid_file'],
      ['a header and no rows', `${HEADER}\n`, 400, 'invalid_file'],
      ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14]), 400, 'invalid_file'],
      ['an unclosed quote', `${HEADER}\n"IT001E00000001;a;b;c;d;e\n`, 400, 'invalid_file'],
      [
        'more rows than allowed',
        [HEADER, ...Array.from({ length: 401 }, (_, i) => csvRow(`IT001E${String(i).padStart(8, '0')}`))].join('\n'),
        413,
        'file_too_large',
      ],
    ])('refuses %s whole, creating nothing', async (_label, body, status, code) => {
      const ap = await makeAssetProvider(platform);
      const response = await upload(ap.token, body);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect((await apiClient(platform, ap.token).get('/bulk-uploads')).body.items).toEqual([]);
      expect((await apiClient(platform, ap.token).get('/requests')).body.items).toEqual([]);
    });

    it("refuses JSON instead of a CSV, and hides one asset provider's uploads from another", async () => {
      const [ap, other] = [await makeAssetProvider(platform), await makeAssetProvider(platform)];
      const json = await upload(ap.token, JSON.stringify({ rows: [] }), 'application/json');
      expect(json.body.error.code).toBe('invalid_file');
      const [pod] = await eligiblePods(1);
      const created = await upload(ap.token, `${HEADER}\n${csvRow(pod!)}`);
      expect((await apiClient(platform, other.token).get(`/bulk-uploads/${created.body.id}`)).status).toBe(404);
      expect(
        (
          await platform.app.inject({
            url: `/api/v1/bulk-uploads/${created.body.id}/report.csv`,
            headers: { authorization: `Bearer ${other.token}` },
          })
        ).statusCode,
      ).toBe(404);
    });

    it('takes the CSV as a form file (multipart/form-data, field "file"), named by its file name', async () => {
      const ap = await makeAssetProvider(platform);
      const [pod] = await eligiblePods(1);
      const form = (field: string, content: string) =>
        [
          '--XBOUNDARY',
          `Content-Disposition: form-data; name="${field}"; filename="associazioni marzo.csv"`,
          'Content-Type: text/csv',
          '',
          content,
          '--XBOUNDARY--',
          '',
        ].join('\r\n');
      const post = (body: string) =>
        platform.app.inject({
          method: 'POST',
          url: '/api/v1/bulk-uploads',
          payload: body,
          headers: { authorization: `Bearer ${ap.token}`, 'content-type': 'multipart/form-data; boundary=XBOUNDARY' },
        });
      const created = await post(form('file', `${HEADER}\n${csvRow(pod!)}`));
      expect(created.statusCode, created.body).toBe(202);
      expect(created.json()).toMatchObject({
        rows: 1,
        fileName: 'associazioni marzo.csv',
        counts: { total: 1, queued: 1 },
      });
      const keyed = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/bulk-uploads',
        payload: form('file', `${HEADER}\n${csvRow(pod!)}`),
        headers: {
          authorization: `Bearer ${ap.token}`,
          'content-type': 'multipart/form-data; boundary=XBOUNDARY',
          'idempotency-key': 'k1',
        },
      });
      expect([keyed.statusCode, keyed.json().error.details[0].field]).toEqual([400, 'Idempotency-Key']);
      const misnamed = await post(form('upload', `${HEADER}\n${csvRow(pod!)}`));
      expect([misnamed.statusCode, misnamed.json().error.code]).toEqual([400, 'invalid_file']);
      expect(misnamed.json().error.message).toContain('"file"');
    });
  });
});
