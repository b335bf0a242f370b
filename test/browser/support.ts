import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { describe, expect, inject } from 'vitest';

/**
 * The portal in a real browser against a real platform: `chain2 start` on a fresh data directory (demo seeded), Debian's
 * Chromium driven by playwright-core (no browser download). One platform per test file: starting one seeds the demo.
 */
export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const CHROMIUM = inject('chromiumPath');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** `describe` for a browser test file: skipped (with test/global-setup.ts's warning) where no Chromium is installed. */
export const describeInBrowser = describe.skipIf(CHROMIUM === '');

export const LAPTOP = { width: 1366, height: 768 };
export const TABLET = { width: 768, height: 1024 };

export interface DemoUser {
  email: string;
  name: string;
  password: string;
  token: string;
}

export interface DemoCredentials {
  apiBaseUrl: string;
  operators: DemoUser[];
  /** The demo's retailers (monitoring) and their users. */
  retailers: { id: string; name: string; users: DemoUser[] }[];
  assetProviders: {
    id: string;
    name: string;
    representatives: { email: string; name: string; password: string; token: string }[];
    examplePods: Record<string, string[]>;
    certifiedModels: { hardwareVersion: string; softwareVersion: string }[];
  }[];
}

export interface Platform {
  url: string;
  dataDir: string;
  credentials: DemoCredentials;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the platform as the README does; refuses to start without a built portal. */
export async function startPlatform(env: Record<string, string> = {}): Promise<Platform> {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build:web` before the browser tests (npm test does it)');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chain2-browser-'));
  let text = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/chain2.js', 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      DU_PORT: '0',
      LOG_LEVEL: 'warn',
      // A lossless field network: the tests watch outcomes, not the simulator's bad luck.
      SIMULATOR_UNREACHABLE_RATE: '0',
      SIMULATOR_LOSS_RATE: '0',
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform did not start in 90 s:\n${text}`)), 90_000);
    const onData = (chunk: Buffer) => {
      text += String(chunk);
      const match = /API:\s+(http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(new URL(match[1]!).origin);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited with ${code}:\n${text}`));
    });
  });
  const credentials = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  return {
    url,
    dataDir,
    credentials,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A GET on the platform's API with a bearer token (what an API client sees), as JSON; fails the test on an error. */
export async function apiGet<T>(platform: Platform, token: string, path: string): Promise<T> {
  const answer = await fetch(`${platform.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`GET ${path}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A fresh browser profile (own cookies and localStorage) with the portal's origin as base URL. */
export async function newContext(browser: Browser, baseURL: string, viewport = LAPTOP): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    viewport,
    locale: 'it-IT',
    timezoneId: 'Europe/Rome',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Fails the test on any error the page logs (a React crash, a CSP refusal, an uncaught promise). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx answer is logged by Chromium as a failed resource load; the tests cause several on purpose.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Pages that poll are never idle for long: wait a little, not for ever.
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function login(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: /^(Accedi|Sign in)$/ }).click();
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 15_000 });
}

/** Follows a link of the main navigation (the same words may appear in the page). */
export async function navigate(page: Page, name: string): Promise<void> {
  const link = navigationLink(page, name);
  await link.click();
  // The router keeps the previous page on screen until the next one is ready: wait until the link marks it current.
  // Each read gives up quickly: expect.poll awaits its callback, and a link that is gone (the user was sent to the
  // login page) would otherwise hold every attempt for the context's whole timeout.
  await expect.poll(() => link.getAttribute('aria-current', { timeout: 500 })).toBe('page');
}

/** A link of the main navigation by its exact name. */
export function navigationLink(page: Page, name: string): Locator {
  return page
    .getByRole('navigation', { name: /^(Navigazione principale|Main navigation)$/ })
    .getByRole('link', { name, exact: true });
}

/** Drops a file on an element as a user dragging it from the desktop would (the code runs in the page). */
export async function dropFile(page: Page, testId: string, name: string, content: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([${JSON.stringify(content)}], ${JSON.stringify(name)}, { type: 'text/csv' }));
    return transfer;
  })()`);
  await page.getByTestId(testId).dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer });
}

/** How many pixels the page is wider than the window (a horizontal scroll bar when > 0). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
}

/** Every form control on the page has a name a screen reader can read (a <label>, or aria-label/-labelledby). */
export async function expectLabelledControls(page: Page): Promise<void> {
  const unlabelled = (await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
  expect(unlabelled, 'form controls without a label').toEqual([]);
}

/** After a failed test: a screenshot of the page, its text and what the console said, for the CI log. */
export async function reportFailure(
  task: { name: string; result?: { state?: string } },
  page: Page | undefined,
  consoleProblems: string[],
): Promise<void> {
  if (task.result?.state !== 'fail' || !page) return;
  await screenshot(page, `FAILED-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  console.error(`page ${page.url()}:\n${await mainText(page).catch(() => '')}\nconsole: ${consoleProblems.join('\n')}`);
}

/** The visible text of the page's <main>, for assertions that no raw code leaks to users. */
export async function mainText(page: Page): Promise<string> {
  return page.locator('main').innerText();
}

/** Codes the API uses that must never reach a user verbatim. */
export const RAW_CODES = [
  'pod_not_found',
  'other_distributor',
  'not_low_voltage',
  'not_2g_meter',
  'not_in_mass_plan',
  'already_associated',
  'taken_in_charge',
  'quota_deferred',
  'invalid_input',
  'not_eligible',
  'contract_received',
  'du_certified',
  'consent_received',
  'invalid_credentials',
  'du_model_not_certified',
  'too_many_representatives',
  '{"',
  'undefined',
  'NaN',
];

export function expectNoRawCodes(text: string): void {
  for (const code of RAW_CODES) expect(text, `"${code}" shown to the user`).not.toContain(code);
}
