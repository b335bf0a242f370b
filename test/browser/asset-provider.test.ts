import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  dropFile,
  expectLabelledControls,
  expectNoRawCodes,
  horizontalOverflow,
  launchBrowser,
  login,
  mainText,
  navigate,
  navigationLink,
  newContext,
  screenshot,
  startPlatform,
  TABLET,
  watchConsole,
  type Platform,
  reportFailure,
} from './support.js';

/** An asset provider's representative in the portal: login, eligibility, associations, bulk upload, reports, tokens, language. */
describeInBrowser('portal for asset providers (real browser, real platform)', () => {
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleProblems: string[];
  let ap: Platform['credentials']['assetProviders'][number];
  let rep: { email: string; password: string };
  let eligible: string[];
  let associationId = '';
  let bulkUploadPath = '';

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    ap = platform.credentials.assetProviders[0]!;
    rep = ap.representatives[0]!;
    eligible = ap.examplePods.eligible!;
    context = await newContext(browser, platform.url);
    page = await context.newPage();
    consoleProblems = watchConsole(page);
  }, 120_000);

  afterEach((test) => reportFailure(test.task, page, consoleProblems));

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('refuses a wrong password in words, then signs in to the dashboard', async () => {
    await page.goto('/associations');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(rep.email);
    await page.getByLabel(/^Password/).fill('not-the-password');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Email o password non corretti.');
    await screenshot(page, 'login-error');

    // By keyboard only: the password field, type, Enter.
    await page.getByLabel(/^Password/).focus();
    await page.keyboard.type(rep.password);
    await page.keyboard.press('Enter');
    // Back where the user was going before the login page.
    await expect.poll(() => new URL(page.url()).pathname).toBe('/associations');
    await navigate(page, 'Riepilogo');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Riepilogo');
    await expect.poll(() => mainText(page)).toContain('usate nelle ultime 24 ore');
    await expect.poll(() => page.locator('.site-header').innerText()).toContain(ap.name);
    await screenshot(page, 'dashboard');
    expectNoRawCodes(await mainText(page));
  }, 60_000);

  it('says how many minutes to wait after too many failed logins', async () => {
    const locked = platform.credentials.assetProviders[1]!.representatives[1]!;
    const other = await newContext(browser, platform.url);
    const otherPage = await other.newPage();
    await otherPage.goto('/login');
    await otherPage.getByLabel('Email').fill(locked.email);
    let text = '';
    for (let attempt = 0; attempt < 8 && !text.includes('Troppi tentativi'); attempt++) {
      await otherPage.getByLabel(/^Password/).fill(`wrong-${attempt}`);
      await otherPage.getByRole('button', { name: 'Accedi' }).click();
      await expect.poll(() => otherPage.getByRole('button', { name: 'Accedi' }).isEnabled()).toBe(true);
      text = await otherPage.getByRole('alert').innerText();
    }
    expect(text).toMatch(/^Troppi tentativi di accesso non riusciti: riprovate tra \d+ minut[oi]\.$/);
    await screenshot(otherPage, 'login-too-many-attempts');
    await other.close();
  }, 60_000);

  it('answers eligibility at once, with the reason in words', async () => {
    await navigate(page, 'Verifica idoneità');
    await page.getByLabel(/^POD/).fill(eligible[0]!.toLowerCase());
    await page.getByRole('button', { name: 'Verifica' }).click();
    await expect.poll(() => page.locator('.result').innerText()).toContain(`Il POD ${eligible[0]} è idoneo`);

    await page.getByLabel(/^POD/).fill(ap.examplePods.medium_voltage![0]!);
    await page.getByRole('button', { name: 'Verifica' }).click();
    await expect.poll(() => page.locator('.result').innerText()).toContain('non è idoneo');
    expect(await page.locator('.result').innerText()).toContain('La fornitura non è in bassa tensione');
    await page.getByLabel(/^POD/).fill(ap.examplePods.first_generation![0]!);
    await page.getByRole('button', { name: 'Verifica' }).click();
    await expect.poll(() => page.locator('.result').innerText()).toContain('contatore di seconda generazione');
    await screenshot(page, 'eligibility-not-eligible');
    expectNoRawCodes(await mainText(page));

    await page.getByLabel(/^POD/).fill('IT001X123');
    await page.getByRole('button', { name: 'Verifica' }).click();
    await expect.poll(() => page.locator('.field-error').innerText()).toContain('POD non valido');
  }, 60_000);

  it('creates an association with field-level messages, and sees it become active with its key masked', async () => {
    const model = ap.certifiedModels[0]!;
    const key = '0123456789ABCDEF0123456789ABCDEF';
    await page.goto(`/associations/new?pod=${eligible[0]}`);
    await page.getByLabel(/^Nome del dispositivo/).fill('Display cucina');
    await page.getByLabel(/^Indirizzo MAC/).fill('AA:0A:1B:2C:3D:4E');
    await page.getByLabel(/^Chiave di cifratura/).fill('1234');
    await page.getByLabel(/^Versione hardware/).fill(model.hardwareVersion);
    await page.getByLabel(/^Versione software/).fill(model.softwareVersion);
    await page.getByRole('button', { name: "Crea l'associazione" }).click();
    await expect.poll(() => page.locator('#du-mac-error').innerText()).toContain('Indirizzo MAC non valido');
    expect(await page.locator('#du-key-error').innerText()).toContain('32 cifre esadecimali');
    await screenshot(page, 'association-form-errors');
    await expectLabelledControls(page);

    // A DU model that is not certified for this asset provider: refused beside the hardware version.
    await page.getByLabel(/^Indirizzo MAC/).fill('DC:0A:1B:2C:3D:4E');
    await page.getByLabel(/^Chiave di cifratura/).fill(key);
    await page.getByLabel(/^Versione hardware/).fill('HW-NON-CERTIFICATA');
    await page.getByRole('button', { name: "Crea l'associazione" }).click();
    await expect.poll(() => page.locator('#du-hw-error').innerText()).toContain('non è certificato');

    await page.getByLabel(/^Versione hardware/).fill(model.hardwareVersion);
    await page.getByRole('button', { name: "Crea l'associazione" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/associations\/[0-9a-f-]{36}$/);
    associationId = new URL(page.url()).pathname.split('/').pop()!;
    await expect.poll(() => page.locator('.status-line').innerText(), { timeout: 20_000 }).toContain('Attiva');
    await expect.poll(() => page.locator('.timeline').first().innerText()).toContain('Completata');
    const text = await mainText(page);
    expect(text).toContain('•••• CDEF');
    expect(await page.content()).not.toContain(key);
    expect(text).toContain('DC:0A:1B:2C:3D:4E');
    await screenshot(page, 'association-detail');
    expectNoRawCodes(text);
  }, 60_000);

  it('lists associations filtered by POD and status', async () => {
    await navigate(page, 'Associazioni');
    await page.getByLabel(/^POD/).fill(eligible[0]!);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Stato').selectOption('rejected');
    await expect.poll(() => mainText(page)).toContain('Nessuna associazione corrisponde ai filtri');
    await page.getByRole('button', { name: 'Azzera filtri' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(1);
    await screenshot(page, 'associations');
  }, 30_000);

  it('uploads a CSV through the file picker, follows the progress to the end and downloads the report', async () => {
    const model = ap.certifiedModels[0]!;
    const rows = [
      `${eligible[1]};Salotto;DC0B00000001;00112233445566778899AABBCCDDEE01;${model.hardwareVersion};${model.softwareVersion}`,
      `${eligible[2]};Cucina;DC0B00000002;00112233445566778899AABBCCDDEE02;${model.hardwareVersion};${model.softwareVersion}`,
      `${ap.examplePods.not_in_mass_plan![0]};Garage;DC0B00000003;00112233445566778899AABBCCDDEE03;${model.hardwareVersion};${model.softwareVersion}`,
      `${eligible[3]};Studio;NOT-A-MAC;00112233445566778899AABBCCDDEE04;${model.hardwareVersion};${model.softwareVersion}`,
    ];
    const csv = ['POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW', ...rows].join('\n');
    await navigate(page, 'Caricamento massivo');
    await expect.poll(() => mainText(page)).toContain('0 di 100 usate nelle ultime 24 ore');
    await page
      .locator('#csv-file')
      .setInputFiles({ name: 'associazioni.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(() => page.locator('.file-name').innerText()).toContain('associazioni.csv');
    await page.getByRole('button', { name: 'Carica', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/bulk-uploads\/[0-9a-f-]{36}$/);
    bulkUploadPath = new URL(page.url()).pathname;
    await expect
      .poll(() => page.getByTestId('progress-text').innerText(), { timeout: 30_000 })
      .toContain('Lavorazione conclusa');
    const bar = page.getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe(await bar.getAttribute('aria-valuemax'));
    const report = await page.locator('.report-table').innerText();
    expect(report).toContain('Completata');
    expect(report).toContain('Il contatore 2G non fa parte del piano di sostituzione massiva');
    expect(report).toContain('Indirizzo MAC non valido');
    await screenshot(page, 'bulk-upload-report');
    expectNoRawCodes(await mainText(page));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Scarica l'esito/ }).click(),
    ]);
    const content = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = content.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^Riga;POD;Idoneo/);
    expect(lines).toHaveLength(5);
    expect(content).toContain(eligible[1]);
    expect(lines.find((l) => l.includes(String(ap.examplePods.not_in_mass_plan![0])))).toBeDefined();
  }, 60_000);

  it('uploads a CSV dropped on the drop zone', async () => {
    const model = ap.certifiedModels[0]!;
    const csv = `POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW\n${eligible[4]};Camera;DC0B00000005;00112233445566778899AABBCCDDEE05;${model.hardwareVersion};${model.softwareVersion}\n`;
    await navigate(page, 'Caricamento massivo');
    await expect.poll(() => mainText(page)).toContain('usate nelle ultime 24 ore');
    await dropFile(page, 'dropzone', 'trascinato.csv', csv);
    await expect.poll(() => page.locator('.file-name').innerText()).toContain('trascinato.csv');
    await page.getByRole('button', { name: 'Carica', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('progress-text').innerText(), { timeout: 30_000 })
      .toContain('Lavorazione conclusa');
    await navigate(page, 'Caricamento massivo');
    await expect.poll(() => mainText(page)).toContain('3 di 100 usate nelle ultime 24 ore');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'bulk-uploads');
    await expectLabelledControls(page);
  }, 60_000);

  it('shows the requests report with filters and links its CSV export', async () => {
    await navigate(page, 'Richieste aperte');
    await expect.poll(() => mainText(page)).toMatch(/Nessuna richiesta aperta|Ricevuta|In coda|Presa in carico/);
    await page.getByLabel('Stato della richiesta').selectOption('closed');
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(3);
    await page.getByLabel('Tipo').selectOption('create');
    await page.getByLabel(/^POD/).fill(eligible[1]!);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    const href = await page.getByRole('link', { name: 'Esporta CSV' }).getAttribute('href');
    expect(href).toBe(`/api/v1/requests.csv?state=closed&kind=create&pod=${eligible[1]}`);
    const csv = await (await page.request.get(href!)).text();
    expect(csv.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toContain('POD');
    expect(csv).toContain(eligible[1]);
    await screenshot(page, 'requests-report');
    expectNoRawCodes(await mainText(page));
  }, 30_000);

  it('creates a personal API token shown once, and revokes it after confirming', async () => {
    await navigate(page, 'Token API');
    await page.getByLabel(/^Descrizione/).fill('Gestionale di prova');
    await page.getByRole('button', { name: 'Crea token' }).click();
    const token = await page.getByTestId('new-token').innerText();
    expect(token.length).toBeGreaterThan(20);
    // The token works as a bearer token for the API, as the page says.
    const answer = await fetch(`${platform.url}/api/v1/associations?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    await screenshot(page, 'tokens-created');
    await page.getByRole('button', { name: 'Revoca il token «Gestionale di prova»' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sì, revoca' }).click();
    await expect.poll(() => mainText(page)).toContain('Il token «Gestionale di prova» è stato revocato.');
    await expect
      .poll(
        async () =>
          (
            await fetch(`${platform.url}/api/v1/associations?limit=1`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).status,
        { timeout: 10_000 },
      )
      .toBe(401);
  }, 30_000);

  it('switches between Italian and English, remembers the choice and sets <html lang>', async () => {
    await navigate(page, 'Riepilogo');
    expect(await page.locator('html').getAttribute('lang')).toBe('it');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Dashboard');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Dashboard');
    await expect.poll(() => mainText(page)).toContain('used in the last 24 h');
    await page.goto(`/associations/${associationId}`);
    await expect.poll(() => page.locator('.status-line').innerText()).toContain('Active');
    await screenshot(page, 'association-detail-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await expect.poll(() => page.locator('.status-line').innerText()).toContain('Attiva');
    expect(await page.locator('html').getAttribute('lang')).toBe('it');
  }, 30_000);

  it('reads well on a tablet', async () => {
    const tablet = await newContext(browser, platform.url, TABLET);
    const tabletPage = await tablet.newPage();
    await login(tabletPage, rep.email, rep.password);
    await tabletPage.goto('/dashboard');
    await expect.poll(() => mainText(tabletPage)).toContain('usate nelle ultime 24 ore');
    await screenshot(tabletPage, 'tablet-dashboard');
    await tabletPage.goto(bulkUploadPath);
    await expect.poll(() => tabletPage.getByTestId('progress-text').innerText()).toContain('Lavorazione conclusa');
    await screenshot(tabletPage, 'tablet-bulk-upload-report');
    // Nothing wider than the screen but the tables, which scroll inside their frame.
    expect(await horizontalOverflow(tabletPage)).toBeLessThanOrEqual(0);
    await tablet.close();
  }, 60_000);

  it('does not let another asset provider see these associations, in the list or by the address', async () => {
    const other = platform.credentials.assetProviders[1]!.representatives[0]!;
    const otherContext = await newContext(browser, platform.url);
    const otherPage = await otherContext.newPage();
    await login(otherPage, other.email, other.password);
    await otherPage.goto(`/associations?pod=${eligible[0]}`);
    await expect.poll(() => mainText(otherPage)).toContain('Nessuna associazione corrisponde ai filtri');
    await otherPage.goto(`/associations/${associationId}`);
    await expect.poll(() => otherPage.getByRole('heading', { level: 1 }).innerText()).toBe('Pagina non trovata');
    expect(await mainText(otherPage)).toContain('non esiste o non appartiene alla vostra società');
    expect(await mainText(otherPage)).not.toContain(eligible[0]);
    await screenshot(otherPage, 'association-not-found');
    await otherPage.goto(`/associations/${associationId}/edit`);
    await expect.poll(() => otherPage.getByRole('heading', { level: 1 }).innerText()).toBe('Pagina non trovata');
    await otherPage.goto(bulkUploadPath);
    await expect.poll(() => otherPage.getByRole('heading', { level: 1 }).innerText()).toBe('Pagina non trovata');
    await otherContext.close();
  }, 60_000);

  it('modifies and deletes the association, with a confirmation', async () => {
    await page.goto(`/associations/${associationId}`);
    await page.getByRole('link', { name: 'Modifica' }).click();
    // The form shows the DU as it is (the key never: it is left empty unless it changes).
    await expect.poll(() => page.getByLabel(/^Nome del dispositivo/).inputValue()).toBe('Display cucina');
    expect(await page.getByLabel(/^Chiave di cifratura/).inputValue()).toBe('');
    await page.getByLabel(/^Nome del dispositivo/).fill('Display soggiorno');
    await page.getByRole('button', { name: 'Invia la modifica' }).click();
    await expect.poll(() => mainText(page)).toMatch(/Modifica (inviata|completata)/);
    await expect.poll(() => mainText(page), { timeout: 20_000 }).toContain('Display soggiorno');
    await expect
      .poll(() => page.locator('.request-card').first().innerText(), { timeout: 20_000 })
      .toContain('Completata');
    await page.getByRole('button', { name: 'Elimina' }).click();
    await screenshot(page, 'association-delete-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Sì, elimina' }).click();
    try {
      await expect.poll(() => page.locator('.status-line').innerText(), { timeout: 20_000 }).toContain('Eliminata');
    } catch (error) {
      await screenshot(page, 'association-delete-failed');
      throw new Error(`${(error as Error).message}\n${await mainText(page)}`);
    }
    expect(await page.getByRole('dialog').count()).toBe(0);
    await screenshot(page, 'association-deleted');
  }, 60_000);

  it('sends the user back to the login page with a message when the session has ended, and signs out', async () => {
    await context.clearCookies();
    // Not navigate(): the page it goes to is never shown (the API answers 401 and the portal sends the user away).
    await navigationLink(page, 'Associazioni').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await expect.poll(() => mainText(page)).toContain('La sessione è scaduta');
    await login(page, rep.email, rep.password);
    await page.getByRole('button', { name: 'Esci' }).click();
    await expect.poll(() => mainText(page)).toContain('Siete usciti dal portale.');
    await page.goto('/dashboard');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    expect(consoleProblems).toEqual([]);
  }, 30_000);
});
