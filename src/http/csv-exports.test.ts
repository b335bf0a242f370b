import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../test/support/api.js';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  makeOperator,
  manualClock,
  type TestPlatform,
} from '../../test/support/platform.js';
import { csvCell } from './bulk-report.csv.js';

/** What OWASP's "CSV Injection" lists: cells a spreadsheet would run as formulas (DDE, links, arithmetic). */
const HOSTILE = [
  '+1+1',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '-2+3',
  '=HYPERLINK("http://example.invalid","x")',
  '\tcmd',
  '\rcmd',
];

/** The cells of a `;`-separated CSV as a spreadsheet reads them (quotes removed, doubled quotes undone). */
function cells(csv: string): string[][] {
  return parse(csv, { delimiter: ';', bom: true, relax_column_count: true }) as string[][];
}

/** No cell, once read, starts a formula: what a spreadsheet would execute. */
function expectNoFormula(csv: string) {
  for (const cell of cells(csv).flat())
    expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+@\t\r]|^-(?!\d+(,\d+)?$)/);
}

describe('CSV cells', () => {
  it.each([
    ['+1+1', `"'+1+1"`],
    ["@SUM(1+1)*cmd|' /C calc'!A0", `"'@SUM(1+1)*cmd|' /C calc'!A0"`],
    ['-2+3', `"'-2+3"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['\tcmd', `"'\tcmd"`],
    ['\rcmd', `"'\rcmd"`],
    ['-12', '-12'],
    ['-0,5', '-0,5'],
    ['IT001E00000001', 'IT001E00000001'],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say ""hi"""'],
    ['', ''],
  ])('writes %j as %j', (value, written) => {
    expect(csvCell(value)).toBe(written);
  });
});

/** Every CSV the platform writes, fed values a spreadsheet would execute. */
describe('CSV exports neutralise formulas', () => {
  const clock = manualClock(new Date('2026-03-08T11:00:00Z'));
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined }, {}, { clock });
  });
  afterAll(async () => platform?.close());
  const download = async (token: string, url: string) => {
    const answer = await platform.app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.body;
  };

  it('the bulk report shows a hostile POD as text, not as a formula', async () => {
    const ap = await makeAssetProvider(platform);
    const du = makeDu();
    const body = [
      'POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW',
      ...HOSTILE.map(
        (pod) =>
          `"${pod.replace(/"/g, '""')}";${du.name};${du.macAddress};${du.encryptionKey};${du.hardwareVersion};${du.softwareVersion}`,
      ),
    ].join('\n');
    const upload = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/bulk-uploads?fileName=hostile.csv',
      payload: body,
      headers: { authorization: `Bearer ${ap.token}`, 'content-type': 'text/csv' },
    });
    expect(upload.statusCode).toBe(202);
    const report = await download(ap.token, `/bulk-uploads/${upload.json().id}/report.csv`);
    expectNoFormula(report);
    const pods = cells(report)
      .slice(1)
      .map((row) => row[1]);
    // The upload trims each POD (a leading tab or carriage return goes); what is left is shown behind a `'`.
    expect(pods).toEqual(HOSTILE.map((pod) => pod.trim()).map((pod) => (/^[=+\-@]/.test(pod) ? `'${pod}` : pod)));
  });

  it('the monitoring export shows a hostile company name as text', async () => {
    const ap = await makeAssetProvider(platform, '=HYPERLINK("http://example.invalid","Premi qui")');
    const [point] = await addSupplyPoints(platform, {});
    const api = apiClient(platform, ap.token);
    expect((await api.post('/associations', { pod: point!.pod, du: makeDu() })).status).toBe(202);
    await platform.workflow.drain();
    await platform.storage.kpiCompute.upsertMeterCounts('2026-03-09', [{ pod: point!.pod, sent: 100 }], new Date());
    clock.advance(43 * 3_600_000); // 2026-03-10 07:00 in Rome: the 9th is past its cut-off
    expect(
      (await api.post('/kpi/reports', { reports: [{ pod: point!.pod, day: '2026-03-09', received: 99 }] })).status,
    ).toBe(200);
    await platform.services.kpi.runDue();

    const csv = await download(
      (await makeOperator(platform)).token,
      '/kpi/performance.csv?from=2026-03-09&to=2026-03-09&groupBy=assetProvider',
    );
    expect(csv).toContain('Premi qui');
    expectNoFormula(csv);
  });

  it('the requests report is written through the same neutralising writer', async () => {
    const ap = await makeAssetProvider(platform);
    const [point] = await addSupplyPoints(platform, {});
    expect((await apiClient(platform, ap.token).post('/associations', { pod: point!.pod, du: makeDu() })).status).toBe(
      202,
    );
    const csv = await download(ap.token, '/requests.csv');
    expect(cells(csv)[1]).toContain(point!.pod);
    expectNoFormula(csv);
  });
});
