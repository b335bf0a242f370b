import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  apiGet,
  dropFile,
  expectLabelledControls,
  expectNoRawCodes,
  horizontalOverflow,
  launchBrowser,
  login,
  mainText,
  navigate,
  newContext,
  screenshot,
  startPlatform,
  TABLET,
  watchConsole,
  type DemoUser,
  type Platform,
  reportFailure,
} from './support.js';

interface GroupRow {
  key: string;
  label: string;
  podDays: number;
  performance: number | null;
}
interface Performance {
  from: string;
  to: string;
  rows: GroupRow[];
}

/** Codes of the monitoring API that must reach users only in words (in English, some of them are words). */
const MONITORING_CODES = [
  'missing_report',
  'missing_meter_count',
  'below_target',
  'not_your_supply_point',
  'future_day',
  'assetProvider',
];
const IN_ITALIAN = [...MONITORING_CODES, 'provisional', 'final', 'latest', 'inconsistent'];

/** Wall-clock day in Rome, shifted by `n` days, as YYYY-MM-DD (only to bound a wide query: the platform's clock runs ahead). */
function romeDay(n: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date(Date.now() + n * 86_400_000));
}

const dayFirst = (day: string) => day.split('-').reverse().join('/');
const isoOf = (dayFirstDate: string) => dayFirstDate.split('/').reverse().join('-');

/**
 * The monitoring pages on a platform whose simulated time runs 14,400 times faster (a simulated day every 6 s): the
 * demo's meters count frames sent, its DUs frames received, its asset providers report each night, and days are
 * computed at 06:00 of the next simulated day. The test waits for two computed days, then reads them as the DSO, as
 * a retailer (who sees only its supply points and sends KPIs), on a tablet and in English.
 */
describeInBrowser('monitoring pages (real browser, platform on fast simulated time)', () => {
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleProblems: string[];
  let operator: DemoUser;
  let dataDays: string[] = [];
  let retailer: { id: string; name: string; user: DemoUser };
  let otherRetailer: { id: string; name: string; user: DemoUser };

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPlatform({ SIMULATOR_TIME_SCALE: '14400' }), launchBrowser()]);
    operator = platform.credentials.operators[0]!;
    const [first, second] = platform.credentials.retailers;
    retailer = { id: first!.id, name: first!.name, user: first!.users[0]! };
    otherRetailer = { id: second!.id, name: second!.name, user: second!.users[0]! };
    // Days with figures, by the platform's own (simulated) calendar: a wide window, not today's date.
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      const answer = await apiGet<Performance>(
        platform,
        operator.token,
        `/kpi/performance?groupBy=day&from=${romeDay(-5)}&to=${romeDay(60)}`,
      );
      dataDays = answer.rows.filter((r) => r.performance !== null).map((r) => r.key);
      if (dataDays.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(dataDays.length, 'days computed within 60 s').toBeGreaterThanOrEqual(2);
    context = await newContext(browser, platform.url);
    page = await context.newPage();
    consoleProblems = watchConsole(page);
  }, 180_000);

  afterEach((test) => reportFailure(test.task, page, consoleProblems));

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows the DSO the performance per day per company against the target, the distribution and the tables per asset provider and retailer', async () => {
    await login(page, operator.email, operator.password);
    await navigate(page, 'Monitoraggio');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Monitoraggio della Chain 2');
    const headline = page.getByTestId('headline');
    await expect.poll(() => headline.innerText(), { timeout: 20_000 }).toMatch(/\d{1,3},\d{1,2}\s%/);
    expect(await headline.innerText()).toMatch(/(In linea con|Sotto) l'obiettivo del 99,0\s%/);
    // The default period: the 30 days up to the last day computed (more days are computed as the test runs).
    const to = isoOf(await page.getByLabel('Al giorno', { exact: true }).inputValue());
    expect(to >= dataDays.at(-1)!).toBe(true);
    expect(isoOf(await page.getByLabel('Dal giorno', { exact: true }).inputValue())).toBe(
      new Date(Date.parse(`${to}T12:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10),
    );

    // Charts with accessible names, drawn, and their numbers in a table.
    for (const name of [
      'Prestazione giornaliera per asset provider',
      'Prestazione giornaliera per venditore',
      'Giorni-POD per fascia di prestazione',
    ]) {
      const chart = page.getByRole('img', { name, exact: true });
      await expect.poll(() => chart.count()).toBe(1);
      expect(Number(await chart.getAttribute('width'))).toBeGreaterThan(200);
    }
    const byRetailerChart = page
      .locator('figure')
      .filter({ has: page.getByRole('img', { name: 'Prestazione giornaliera per venditore' }) });
    await byRetailerChart.getByText('Mostra i dati in tabella').click();
    const chartTable = await byRetailerChart.locator('table').innerText();
    expect(chartTable).toContain(dayFirst(dataDays[0]!));
    expect(chartTable).toMatch(/\d{1,3},\d{1,2}\s%/);
    for (const r of platform.credentials.retailers) expect(chartTable).toContain(r.name);

    // Tables by asset provider and by retailer name every company, with Italian numbers.
    const byAssetProvider = await page.getByTestId('by-asset-provider').innerText();
    for (const ap of platform.credentials.assetProviders.slice(0, 3)) expect(byAssetProvider).toContain(ap.name);
    expect(byAssetProvider).toMatch(/\d{1,3},\d{1,2}\s%/);
    const byRetailer = await page.getByTestId('by-retailer').innerText();
    for (const r of platform.credentials.retailers) expect(byRetailer).toContain(r.name);
    expect(await page.getByTestId('worst-pods').locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'monitoring-dso');
    const text = await mainText(page);
    expectNoRawCodes(text);
    for (const code of IN_ITALIAN) expect(text).not.toContain(code);
    await expectLabelledControls(page);

    // The CSV export downloads the same figures for a spreadsheet.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Esporta CSV per giorno' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^prestazioni-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(/^\uFEFF?Chiave;Nome;POD;Giorni_POD;Inviati;Ricevuti;Prestazione/);
    expect(csv).toContain(dataDays[0]!);

    // The final version only; a period without computed days says when days are computed.
    await page.getByLabel('Definitiva').check();
    await expect.poll(() => new URL(page.url()).searchParams.get('version')).toBe('final');
    await expect.poll(() => mainText(page)).toMatch(/versione definitiva|Nessun giorno calcolato/);
    await page.getByLabel('Dal giorno', { exact: true }).fill('01/01/2020');
    await page.getByLabel('Al giorno', { exact: true }).fill('31/01/2020');
    await page.getByRole('button', { name: 'Mostra', exact: true }).click();
    await expect.poll(() => mainText(page)).toContain('Nessun giorno calcolato nel periodo scelto');
    expect(await mainText(page)).toContain('alle 06:00 del giorno successivo');
    await screenshot(page, 'monitoring-empty');
    await page.getByLabel('Al giorno', { exact: true }).fill('31/01/2019');
    await page.getByRole('button', { name: 'Mostra', exact: true }).click();
    await expect
      .poll(() => page.locator('#period-from-error').innerText())
      .toContain("Il primo giorno viene dopo l'ultimo");
  }, 90_000);

  it('drills down from a worst POD to its days in both versions and the history of its reports', async () => {
    await page.goto('/monitoring');
    const firstPod = page.getByTestId('worst-pods').locator('tbody tr a').first();
    await expect.poll(() => firstPod.count(), { timeout: 20_000 }).toBe(1);
    const pod = await firstPod.innerText();
    await firstPod.click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(`POD ${pod}`);
    const days = page.getByTestId('pod-days');
    await expect.poll(() => days.innerText()).toContain('Provvisoria');
    expect(await days.innerText()).toContain('Definitiva');
    expect(await days.innerText()).toMatch(/\d{1,3},\d{1,2}\s%/);
    await page.getByRole('button', { name: `Storico dei report del ${dayFirst(dataDays[0]!)}` }).click();
    const history = page.getByTestId('report-history');
    await expect.poll(() => history.count()).toBe(1);
    // The demo's asset providers report their DUs' counts each night.
    await expect.poll(() => history.innerText()).toContain('In vigore');
    expect(await history.innerText()).toContain('Asset provider');
    await screenshot(page, 'monitoring-pod');
    const text = await mainText(page);
    expectNoRawCodes(text);
    for (const code of IN_ITALIAN) expect(text).not.toContain(code);
    await page.getByRole('link', { name: '← Monitoraggio' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Monitoraggio della Chain 2');
    expect(consoleProblems).toEqual([]);
  }, 60_000);

  it('shows a retailer only the supply points it serves, as its home page', async () => {
    const own = await apiGet<Performance>(
      platform,
      retailer.user.token,
      `/kpi/performance?groupBy=pod&from=${dataDays[0]}&to=${romeDay(60)}&limit=10000`,
    );
    const others = await apiGet<Performance>(
      platform,
      otherRetailer.user.token,
      `/kpi/performance?groupBy=pod&from=${dataDays[0]}&to=${romeDay(60)}&limit=10000`,
    );
    const ownPods = new Set(own.rows.map((r) => r.key));
    const otherPods = new Set(others.rows.map((r) => r.key));
    expect(otherPods.size).toBeGreaterThan(0);

    const retailerContext = await newContext(browser, platform.url);
    const retailerPage = await retailerContext.newPage();
    const problems = watchConsole(retailerPage);
    await login(retailerPage, retailer.user.email, retailer.user.password);
    expect(new URL(retailerPage.url()).pathname).toBe('/monitoring');
    await expect.poll(() => retailerPage.locator('.site-header').innerText()).toContain(retailer.name);
    await expect
      .poll(() => mainText(retailerPage), { timeout: 20_000 })
      .toContain(`Vedete i POD serviti da ${retailer.name}`);
    const worst = retailerPage.getByTestId('worst-pods');
    await expect.poll(() => worst.locator('tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const shown = await worst.locator('tbody tr a').allInnerTexts();
    for (const pod of shown) {
      expect(otherPods.has(pod), `${pod} belongs to ${otherRetailer.name}`).toBe(false);
      expect(ownPods.has(pod), `${pod} is served by ${retailer.name}`).toBe(true);
    }
    await expect
      .poll(() =>
        retailerPage.getByRole('img', { name: `Prestazione giornaliera di ${retailer.name}`, exact: true }).count(),
      )
      .toBe(1);
    // No tables of other companies for a retailer.
    expect(await retailerPage.getByTestId('by-retailer').count()).toBe(0);
    const text = await mainText(retailerPage);
    expect(text).not.toContain(otherRetailer.name);
    expectNoRawCodes(text);
    await screenshot(retailerPage, 'monitoring-retailer');
    // Nor by the address of another retailer's POD.
    await retailerPage.goto(`/monitoring/pods/${[...otherPods][0]}`);
    await expect.poll(() => mainText(retailerPage)).toContain('non è tra quelli che potete vedere');
    expect(await retailerPage.getByTestId('pod-days').count()).toBe(0);
    expect(problems).toEqual([]);
    await retailerContext.close();
  }, 60_000);

  it('lets a retailer send KPIs from a CSV and from pasted rows, refusing in words a POD it does not serve and a day not over', async () => {
    const own = await apiGet<{ items: { pod: string }[] }>(
      platform,
      retailer.user.token,
      `/kpi/pods?from=${dataDays[0]}&to=${dataDays[0]}&limit=1`,
    );
    const others = await apiGet<{ items: { pod: string }[] }>(
      platform,
      otherRetailer.user.token,
      `/kpi/pods?from=${dataDays[0]}&to=${dataDays[0]}&limit=1`,
    );
    const ownPod = own.items[0]!.pod;
    const otherPod = others.items[0]!.pod;
    const day = dayFirst(dataDays[0]!);

    const retailerContext = await newContext(browser, platform.url);
    const retailerPage = await retailerContext.newPage();
    const problems = watchConsole(retailerPage);
    await login(retailerPage, retailer.user.email, retailer.user.password);
    await navigate(retailerPage, 'Invia KPI');
    await expect.poll(() => retailerPage.getByRole('heading', { level: 1 }).innerText()).toBe('Invio dei KPI');
    await expectLabelledControls(retailerPage);
    await dropFile(
      retailerPage,
      'kpi-dropzone',
      'kpi-venditore.csv',
      `POD;GIORNO;RICEVUTI\n${ownPod};${day};95\n${otherPod};${day};90\n`,
    );
    await expect.poll(() => mainText(retailerPage)).toContain('File scelto: kpi-venditore.csv');
    await retailerPage.getByRole('button', { name: 'Invia il file' }).click();
    const outcome = retailerPage.getByTestId('kpi-outcome');
    await expect.poll(() => outcome.innerText()).toContain('1 riga accettata');
    expect(await outcome.innerText()).toContain('1 riga rifiutata');
    const refused = await retailerPage.getByTestId('kpi-refused').innerText();
    expect(refused).toContain(otherPod);
    expect(refused).toContain('Il POD non è tra quelli serviti dalla vostra società.');
    expect(refused).toMatch(/^\s*3\s/m);
    await screenshot(retailerPage, 'monitoring-kpi-upload');
    expectNoRawCodes(await mainText(retailerPage));
    for (const code of IN_ITALIAN) expect(await mainText(retailerPage)).not.toContain(code);

    // Pasted rows without a header: lines are the pasted ones.
    await retailerPage.getByLabel('Righe da inviare').fill(`${ownPod};${day};96\n${ownPod};01/01/2099;5`);
    await retailerPage.getByRole('button', { name: 'Invia le righe' }).click();
    await expect.poll(() => outcome.innerText()).toContain('1 riga accettata');
    const pastedRefusal = await retailerPage.getByTestId('kpi-refused').innerText();
    expect(pastedRefusal).toContain('Il giorno non è ancora concluso');
    expect(pastedRefusal).toMatch(/^\s*2\s/m);

    // The retailer's reports for the day: the correction in force, the first one superseded.
    await retailerPage.goto(`/monitoring/pods/${ownPod}?from=${dataDays[0]}&to=${dataDays.at(-1)}`);
    await retailerPage.getByRole('button', { name: `Storico dei report del ${day}` }).click();
    const history = retailerPage.getByTestId('report-history');
    await expect.poll(() => history.locator('tbody tr').count()).toBe(2);
    const historyText = await history.innerText();
    expect(historyText).toContain(retailer.name);
    expect(historyText).toContain('In vigore');
    expect(historyText).toContain('Sostituito il');
    expect(problems).toEqual([]);
    await retailerContext.close();
  }, 60_000);

  it('switches the monitoring page to English, also on a tablet', async () => {
    const tablet = await newContext(browser, platform.url, TABLET);
    const tabletPage = await tablet.newPage();
    const problems = watchConsole(tabletPage);
    await login(tabletPage, operator.email, operator.password);
    await tabletPage.goto('/monitoring');
    await expect
      .poll(() => tabletPage.getByTestId('headline').innerText(), { timeout: 20_000 })
      .toMatch(/\d{1,3},\d{1,2}\s%/);
    await tabletPage.getByRole('button', { name: 'EN', exact: true }).click();
    await expect.poll(() => tabletPage.getByRole('heading', { level: 1 }).innerText()).toBe('Chain 2 monitoring');
    await expect.poll(() => tabletPage.getByTestId('headline').innerText()).toMatch(/\d{1,3}\.\d{1,2}%/);
    expect(await tabletPage.getByRole('img', { name: 'Daily performance by retailer', exact: true }).count()).toBe(1);
    expect(await mainText(tabletPage)).toContain('The worst POD-days');
    await screenshot(tabletPage, 'monitoring-tablet-en');
    expect(await horizontalOverflow(tabletPage)).toBeLessThanOrEqual(0);
    const text = await mainText(tabletPage);
    expectNoRawCodes(text);
    for (const code of MONITORING_CODES) expect(text).not.toContain(code);
    expect(problems).toEqual([]);
    await tablet.close();
    expect(consoleProblems).toEqual([]);
  }, 60_000);
});
