import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  apiGet,
  describeInBrowser,
  expectLabelledControls,
  expectNoRawCodes,
  horizontalOverflow,
  launchBrowser,
  login,
  mainText,
  navigate,
  newContext,
  reportFailure,
  screenshot,
  startPlatform,
  TABLET,
  watchConsole,
  type Platform,
} from './support.js';

interface Counts {
  meters: number;
  collected: number;
  late: number;
  missing: number;
  lastAttemptAt: string | null;
  linkSeconds: number;
}
interface CollectionStatus {
  day: string;
  concentrators: (Counts & { concentratorId: string })[];
  totals: Counts & { concentrators: number };
}

const dayFirst = (day: string) => day.split('-').reverse().join('/');
function addDays(day: string, n: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/**
 * The operators' daily collection page on the demo (×60): on first start the demo back-fills its last two days on
 * the meters' clock through the collection workflow, so the page opens on a day with every concentrator listed.
 */
describeInBrowser('daily collection page for DSO operators (real browser, real platform)', () => {
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleProblems: string[];
  let token: string;
  /** The meters' yesterday (the monitoring API's default end) and the latest day with collection data. */
  let yesterday: string;
  let latest: CollectionStatus;

  const collectionOf = (day: string) =>
    apiGet<CollectionStatus>(platform, token, `/telemanagement/collection?day=${day}`);

  /** The latest day with collection data: the meters' yesterday, or the day before while yesterday's run has not started. */
  async function latestCollected(): Promise<CollectionStatus | null> {
    yesterday = (await apiGet<{ to: string }>(platform, token, '/kpi/performance?groupBy=day')).to;
    for (const day of [yesterday, addDays(yesterday, -1)]) {
      const status = await collectionOf(day);
      if (status.totals.lastAttemptAt !== null) return status;
    }
    return null;
  }

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    const operator = platform.credentials.operators[0]!;
    token = operator.token;
    // The back-fill runs on pg-boss workers after the start: wait until a day has been read by every concentrator.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = await latestCollected();
      if (found && found.concentrators.every((c) => c.lastAttemptAt !== null)) {
        latest = found;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no day of collection in 60 s:\n${platform.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    context = await newContext(browser, platform.url);
    page = await context.newPage();
    consoleProblems = watchConsole(page);
    await login(page, operator.email, operator.password);
  }, 120_000);

  afterEach((test) => reportFailure(test.task, page, consoleProblems));

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it("opens from the navigation on the latest collected day of the meters' clock, with totals and concentrators worst first", async () => {
    await navigate(page, 'Raccolta giornaliera');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Raccolta giornaliera');
    // Only the new link is current: the telemanagement link above it is not.
    expect(
      await page
        .getByRole('navigation', { name: 'Navigazione principale' })
        .getByRole('link', { name: 'Telegestione', exact: true })
        .getAttribute('aria-current'),
    ).toBeNull();
    await expect.poll(() => page.getByLabel('Giorno', { exact: true }).inputValue()).toBe(dayFirst(latest.day));
    const rows = page.locator('table.collection-table tbody tr');
    await expect.poll(() => rows.count()).toBe(latest.totals.concentrators);
    expect(latest.totals.concentrators).toBe(60);

    const totals = page.getByRole('list', { name: `Totali della raccolta del ${dayFirst(latest.day)}` });
    const cards = await totals.locator('li').allInnerTexts();
    expect(cards).toHaveLength(6);
    expect(cards[0]).toContain('60');
    expect(cards[0]).toContain('Concentratori');
    expect(cards[1]).toMatch(/6\.?000/); // it-IT groups thousands from 10.000 on
    expect(cards[2]).toMatch(/\d+(,\d)?\s%/);
    expect(cards[5]).toContain('Tempo di collegamento (ore)');

    // Worst first, as the API sends it; the table has its caption and column headers.
    const shown = await rows.locator('th[scope=row]').allInnerTexts();
    const fresh = await collectionOf(latest.day);
    expect(shown.slice(0, 5)).toEqual(fresh.concentrators.slice(0, 5).map((c) => c.concentratorId));
    expect(await page.locator('table.collection-table caption').innerText()).toContain(dayFirst(latest.day));
    expect(await page.locator('table.collection-table thead th').count()).toBe(8);
    // Missing and late meters stand out where there are any.
    const badges = await page.locator('table.collection-table tbody .badge').count();
    const flagged =
      fresh.concentrators.filter((c) => c.missing > 0).length + fresh.concentrators.filter((c) => c.late > 0).length;
    expect(badges).toBe(flagged);

    await screenshot(page, 'collection');
    await expectLabelledControls(page);
    expectNoRawCodes(await mainText(page));
    // The next day cannot have been collected yet when the page shows the meters' yesterday.
    if (latest.day === yesterday)
      expect(await page.getByRole('button', { name: /^Giorno dopo/ }).isDisabled()).toBe(true);
  }, 60_000);

  it('moves to the previous day, back-filled too, and to a day before the platform existed (empty)', async () => {
    const previous = addDays(latest.day, -1);
    await page.getByRole('button', { name: `Giorno prima: ${dayFirst(previous)}` }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('day')).toBe(previous);
    await expect.poll(() => page.getByLabel('Giorno', { exact: true }).inputValue()).toBe(dayFirst(previous));
    const status = await collectionOf(previous);
    if (status.totals.lastAttemptAt !== null) {
      await expect.poll(() => page.locator('table.collection-table caption').innerText()).toContain(dayFirst(previous));
      expect(await page.locator('table.collection-table tbody tr').count()).toBe(60);
    }
    await screenshot(page, 'collection-previous-day');
    expectNoRawCodes(await mainText(page));

    // A week earlier: the demo's network did not exist, nothing was collected.
    await page.getByLabel('Giorno', { exact: true }).fill(dayFirst(addDays(latest.day, -7)));
    await page.getByRole('button', { name: 'Mostra', exact: true }).click();
    await expect.poll(() => mainText(page)).toContain(`Nessuna raccolta per il ${dayFirst(addDays(latest.day, -7))}.`);
    expect(await page.locator('table.collection-table').count()).toBe(0);
    await screenshot(page, 'collection-empty');

    // A day typed wrong is marked beside the field.
    await page.getByLabel('Giorno', { exact: true }).fill('31/02/2026');
    await page.getByRole('button', { name: 'Mostra', exact: true }).click();
    await expect.poll(() => page.locator('#collection-day-error').innerText()).toContain('gg/mm/aaaa');
    expect(await page.getByLabel('Giorno', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await expectLabelledControls(page);
  }, 60_000);

  it('is linked from the telemanagement page', async () => {
    await navigate(page, 'Telegestione');
    await expect.poll(() => mainText(page)).toContain('Code dei concentratori più carichi');
    await screenshot(page, 'telemanagement-collection-link');
    await page.getByRole('main').getByRole('link', { name: 'Raccolta giornaliera' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Raccolta giornaliera');
    await expect.poll(() => page.locator('table.collection-table tbody tr').count()).toBe(60);
    expect(consoleProblems).toEqual([]);
  }, 30_000);

  it('reads on a tablet, in English', async () => {
    const tablet = await newContext(browser, platform.url, TABLET);
    const tabletPage = await tablet.newPage();
    const problems = watchConsole(tabletPage);
    const operator = platform.credentials.operators[1]!;
    await login(tabletPage, operator.email, operator.password);
    await tabletPage.getByRole('button', { name: 'EN', exact: true }).click();
    await navigate(tabletPage, 'Daily collection');
    await expect.poll(() => tabletPage.getByRole('heading', { level: 1 }).innerText()).toBe('Daily collection');
    await expect.poll(() => tabletPage.locator('table.collection-table tbody tr').count()).toBe(60);
    expect(await mainText(tabletPage)).toContain('Link time (hours)');
    await screenshot(tabletPage, 'tablet-collection-en');
    expect(await horizontalOverflow(tabletPage)).toBeLessThanOrEqual(0);
    expectNoRawCodes(await mainText(tabletPage));
    await expectLabelledControls(tabletPage);
    expect(problems).toEqual([]);
    await tablet.close();
  }, 60_000);
});
