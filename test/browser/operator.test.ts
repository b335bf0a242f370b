import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
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
  type Platform,
  reportFailure,
} from './support.js';

interface Association {
  id: string;
  pod: string;
  du: { macAddress: string };
}

/** A DSO operator in the portal: requests of every asset provider, telemanagement, remote operations, onboarding. */
describeInBrowser('portal for DSO operators (real browser, real platform)', () => {
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleProblems: string[];
  let demo: Association;
  let activationLinks: { email: string; url: string }[] = [];
  let onboardedPath = '';
  const newcomer = { name: 'Luce Domestica S.r.l.', vatNumber: 'IT07654321009' };
  const representatives = [
    { fullName: 'Irene Galli', email: 'irene.galli@lucedomestica.example' },
    { fullName: 'Tommaso Fabbri', email: 'tommaso.fabbri@lucedomestica.example' },
  ];

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    const token = platform.credentials.assetProviders[0]!.representatives[0]!.token;
    const answer = await fetch(`${platform.url}/api/v1/associations?status=active&limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    demo = ((await answer.json()) as { items: Association[] }).items[0]!;
    context = await newContext(browser, platform.url);
    page = await context.newPage();
    consoleProblems = watchConsole(page);
    const operator = platform.credentials.operators[0]!;
    await login(page, operator.email, operator.password);
  }, 120_000);

  afterEach((test) => reportFailure(test.task, page, consoleProblems));

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it("searches every asset provider's requests by POD, by MAC address and by asset provider", async () => {
    expect(new URL(page.url()).pathname).toBe('/dso/requests');
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(10);
    const names = platform.credentials.assetProviders.map((ap) => ap.name);
    const text = await mainText(page);
    for (const name of names) expect(text).toContain(name);
    await screenshot(page, 'dso-requests');

    await page.getByLabel('POD').fill(demo.pod);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Azzera filtri' }).click();
    await page.getByLabel('Indirizzo MAC').fill(demo.du.macAddress.match(/.{2}/g)!.join(':').toLowerCase());
    await page.getByRole('button', { name: 'Cerca' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').innerText()).toContain(demo.pod);
    await page.getByRole('button', { name: 'Azzera filtri' }).click();
    await page.getByLabel('Asset provider').selectOption({ label: names[1]! });
    await expect
      .poll(async () => {
        const rows = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
        return rows.length > 0 && rows.every((cell) => cell === names[1]);
      })
      .toBe(true);

    await page.locator('tbody tr a').first().click();
    await expect.poll(() => page.locator('.timeline').innerText()).toContain('Completata');
    expect(await mainText(page)).toContain(names[1]);
    await screenshot(page, 'dso-request-detail');
    expectNoRawCodes(await mainText(page));
  }, 60_000);

  it('runs a remote operation on a meter and shows the registers it read', async () => {
    await navigate(page, 'Operazione da remoto');
    await page.getByLabel(/^POD/).fill(demo.pod);
    await page.getByLabel('Operazione', { exact: true }).selectOption('read_registers');
    await page.getByRole('button', { name: 'Invia al contatore' }).click();
    await expect
      .poll(() => page.getByTestId('operation-outcome').innerText(), { timeout: 20_000 })
      .toContain('Completata');
    const outcome = await page.getByTestId('operation-outcome').innerText();
    expect(outcome).toContain('Energia prelevata');
    expect(outcome).toMatch(/\d+,\d{3} kWh/);
    await screenshot(page, 'remote-operation');
    await expectLabelledControls(page);
    expectNoRawCodes(await mainText(page));
  }, 30_000);

  it('shows telemanagement queues and failed operations, and retries one', async () => {
    // An available power far above what the meter accepts (3 × the contract power) is refused by the meter.
    await navigate(page, 'Operazione da remoto');
    await page.getByLabel(/^POD/).fill(demo.pod);
    await page.getByLabel('Operazione', { exact: true }).selectOption('set_available_power');
    await page.getByLabel(/^Potenza disponibile/).fill('99000');
    await page.getByRole('button', { name: 'Invia al contatore' }).click();
    await expect
      .poll(() => page.getByTestId('operation-outcome').innerText(), { timeout: 20_000 })
      .toContain('Non riuscita');
    expect(await page.getByTestId('operation-outcome').innerText()).toContain('Rifiutata dal contatore');

    await navigate(page, 'Telegestione');
    await expect.poll(() => mainText(page)).toContain('Code dei concentratori più carichi');
    await expect.poll(() => page.locator('tbody tr').filter({ hasText: demo.pod }).count()).toBeGreaterThan(0);
    await screenshot(page, 'telemanagement');
    expectNoRawCodes(await mainText(page));
    await page
      .getByRole('button', { name: `Riprova: Potenza disponibile sul POD ${demo.pod}` })
      .first()
      .click();
    await expect.poll(() => mainText(page)).toContain('Nuovo tentativo inviato');
  }, 60_000);

  it('onboards a new asset provider step by step, refusing a 4th representative, and shows the activation links once', async () => {
    await navigate(page, 'Asset provider');
    await page.getByRole('link', { name: 'Nuovo asset provider' }).click();
    await page.getByLabel(/^Ragione sociale/).fill(newcomer.name);
    await page.getByLabel(/^Partita IVA/).fill('12345');
    await page.getByRole('button', { name: 'Registra la domanda' }).click();
    await expect.poll(() => page.locator('#ap-vat-error').innerText()).toContain('Partita IVA non valida');
    await page.getByLabel(/^Partita IVA/).fill(newcomer.vatNumber);
    await page.getByRole('button', { name: 'Registra la domanda' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(newcomer.name);
    onboardedPath = new URL(page.url()).pathname;
    expect(await mainText(page)).toContain('Domanda presentata');
    await screenshot(page, 'onboarding-applied');

    await page.getByLabel(/^Riferimento del messaggio PEC/).fill('PEC-2026-000123');
    await page.getByRole('button', { name: 'Registra il contratto' }).click();
    await expect.poll(() => mainText(page)).toContain('Passo registrato: ora lo stato è «Contratto ricevuto»');

    await page.getByLabel(/^Versione hardware/).fill('LD-HW-1');
    await page.getByLabel(/^Versione software/).fill('LD-SW-3.2');
    await page.getByRole('button', { name: 'Registra il modello' }).click();
    await expect.poll(() => page.locator('#test-report-error').innerText()).toContain('Allegate il file');
    await page
      .getByLabel(/^Rapporto di prova/)
      .setInputFiles({ name: 'rapporto-prova.txt', mimeType: 'text/plain', buffer: Buffer.from('Esito: superata\n') });
    await page.getByRole('button', { name: 'Registra il modello' }).click();
    await expect.poll(() => mainText(page)).toContain('Passo registrato: ora lo stato è «Dispositivo certificato»');
    expect(await page.getByRole('link', { name: 'rapporto-prova.txt' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Aggiungi un referente' }).click();
    await page.getByRole('button', { name: 'Aggiungi un referente' }).click();
    await page.getByRole('button', { name: 'Aggiungi un referente' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('al massimo 3 referenti');
    expect(await page.locator('fieldset.representative').count()).toBe(3);
    await screenshot(page, 'onboarding-consent-limit');
    await expectLabelledControls(page);
    await page.getByRole('button', { name: 'Togli il referente 3' }).click();
    for (const [i, person] of representatives.entries()) {
      const row = page.locator('fieldset.representative').nth(i);
      await row.getByLabel(/^Nome e cognome/).fill(person.fullName);
      await row.getByLabel(/^Casella email/).fill(person.email);
    }
    await page.getByRole('button', { name: 'Registra il consenso' }).click();
    await expect.poll(() => page.getByTestId('activation-links').count()).toBe(1);
    activationLinks = await page
      .getByTestId('activation-links')
      .locator('code')
      .evaluateAll((codes) =>
        codes.map((code) => ({ email: code.getAttribute('data-email') ?? '', url: code.textContent ?? '' })),
      );
    expect(activationLinks.map((l) => l.email)).toEqual(representatives.map((r) => r.email));
    for (const link of activationLinks) expect(link.url).toMatch(new RegExp(`^${platform.url}/activate#token=.+`));
    await screenshot(page, 'onboarding-activation-links');

    await page.getByRole('button', { name: "Attiva l'asset provider" }).click();
    await expect.poll(() => mainText(page)).toContain('Passo registrato: ora lo stato è «Attivo»');
    const audit = await page.locator('table').last().innerText();
    for (const step of [
      'Domanda registrata',
      'Contratto registrato',
      'Modello di dispositivo certificato',
      'Modulo di consenso registrato',
      'Società attivata',
    ]) {
      expect(audit).toContain(step);
    }
    expect(audit).toContain('PEC PEC-2026-000123');
    expect(audit).toContain(platform.credentials.operators[0]!.name);
    await screenshot(page, 'onboarding-active');
    expectNoRawCodes(await mainText(page));

    // Shown once: the page read again has no links.
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(newcomer.name);
    expect(await page.getByTestId('activation-links').count()).toBe(0);
  }, 90_000);

  it('lets a named representative activate their account from the link, sign in and see the dashboard', async () => {
    const representative = await newContext(browser, platform.url);
    const repPage = await representative.newPage();
    const problems = watchConsole(repPage);
    await repPage.goto(activationLinks[0]!.url);
    await expect.poll(() => repPage.getByRole('heading', { level: 1 }).innerText()).toBe("Attivazione dell'account");
    expect(repPage.url()).not.toContain('token=');
    await repPage.getByLabel(/^Nuova password/).fill('corta');
    await repPage.getByLabel(/^Ripetete la password/).fill('corta');
    await repPage.getByRole('button', { name: "Attiva l'account" }).click();
    await expect.poll(() => repPage.locator('#new-password-error').innerText()).toContain('almeno 12 caratteri');
    const password = 'una frase lunga e facile da ricordare';
    await repPage.getByLabel(/^Nuova password/).fill(password);
    await repPage.getByLabel(/^Ripetete la password/).fill(password);
    await screenshot(repPage, 'activation');
    await repPage.getByRole('button', { name: "Attiva l'account" }).click();
    await expect.poll(() => mainText(repPage)).toContain('Account attivato');
    await repPage.getByRole('link', { name: "Vai all'accesso" }).click();
    await login(repPage, representatives[0]!.email, password);
    await expect.poll(() => repPage.getByRole('heading', { level: 1 }).innerText()).toBe('Riepilogo');
    await expect.poll(() => mainText(repPage)).toContain(newcomer.name);
    await expect.poll(() => mainText(repPage)).toContain('0 di 100 usate nelle ultime 24 ore');
    await screenshot(repPage, 'new-representative-dashboard');

    // The link is spent.
    const again = await representative.newPage();
    await again.goto(activationLinks[0]!.url);
    await again.getByLabel(/^Nuova password/).fill(password);
    await again.getByLabel(/^Ripetete la password/).fill(password);
    await again.getByRole('button', { name: "Attiva l'account" }).click();
    await expect.poll(() => again.getByRole('alert').innerText()).toContain('già stato usato o è scaduto');

    // The operator sees who activated.
    await page.reload();
    await expect.poll(() => mainText(page)).toContain('Account attivato');
    expect(await page.locator('table').last().innerText()).toContain('Un referente ha attivato il proprio account');

    // Suspended: the representative is told on every page; reinstated: the notice goes.
    await page.getByLabel(/^Motivo della sospensione/).fill('Verifica del contratto');
    await page.getByRole('button', { name: 'Sospendi' }).click();
    await expect.poll(() => mainText(page)).toContain('Passo registrato: ora lo stato è «Sospeso»');
    await repPage.reload();
    await expect.poll(() => repPage.locator('.banner').innerText()).toContain('Accesso ai servizi limitato');
    await navigate(repPage, 'Associazioni');
    await expect.poll(() => mainText(repPage)).toContain('La vostra società non è attiva');
    await screenshot(repPage, 'suspended-representative');
    await page.getByRole('button', { name: 'Riattiva' }).click();
    await expect.poll(() => mainText(page)).toContain('Passo registrato: ora lo stato è «Attivo»');
    await repPage.reload();
    await expect.poll(() => mainText(repPage)).toContain('Non ci sono ancora associazioni');
    expect(await repPage.locator('.banner').count()).toBe(0);
    expect(problems).toEqual([]);
    await representative.close();
  }, 90_000);

  it('lists asset providers with their status, also on a tablet, in English', async () => {
    await navigate(page, 'Asset provider');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(4);
    await screenshot(page, 'asset-providers');
    const tablet = await newContext(browser, platform.url, TABLET);
    const tabletPage = await tablet.newPage();
    const operator = platform.credentials.operators[1]!;
    await login(tabletPage, operator.email, operator.password);
    await tabletPage.getByRole('button', { name: 'EN', exact: true }).click();
    await tabletPage.goto(onboardedPath);
    await expect.poll(() => mainText(tabletPage)).toContain('Subscription steps');
    await expect.poll(() => mainText(tabletPage)).toContain('Company activated');
    await screenshot(tabletPage, 'tablet-onboarding-en');
    expect(await horizontalOverflow(tabletPage)).toBeLessThanOrEqual(0);
    await tablet.close();
    expect(consoleProblems).toEqual([]);
  }, 60_000);
});
