import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The README's start command, as a user runs it: a real process on a real port, demo on the embedded database. */
const ROOT = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'chain2-e2e-'));
const output: string[] = [];
let child: ChildProcess;
let exited: Promise<number | null>;

function startPlatform(): Promise<string> {
  child = spawn(process.execPath, ['bin/chain2.js', 'start'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start:\n${output.join('')}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output.push(String(chunk));
      const match = /API:\s+(http:\/\/\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`platform exited with ${code}:\n${output.join('')}`)));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('chain2 start (demo on the embedded database)', () => {
  let api: string;
  let credentials: {
    apiBaseUrl: string;
    assetProviders: {
      id: string;
      name: string;
      representatives: { email: string; token: string; password: string }[];
      examplePods: Record<string, string[]>;
      certifiedModels: { hardwareVersion: string; softwareVersion: string }[];
    }[];
  };
  const call = async (path: string, token: string, init: RequestInit = {}) => {
    const response = await fetch(`${api}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads JSON loosely
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    api = await startPlatform();
    credentials = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('writes demo credentials listing each asset provider, its tokens and example PODs of every category', () => {
    expect(credentials.apiBaseUrl).toBe(api);
    expect(credentials.assetProviders.length).toBeGreaterThanOrEqual(3);
    const allEligible = new Set<string>();
    for (const ap of credentials.assetProviders) {
      expect(ap.representatives.length).toBeGreaterThanOrEqual(1);
      expect(ap.representatives.length).toBeLessThanOrEqual(3);
      expect(ap.examplePods.eligible!.length).toBeGreaterThanOrEqual(200);
      for (const category of [
        'medium_voltage',
        'first_generation',
        'other_distributor',
        'not_in_mass_plan',
        'unknown',
      ]) {
        expect(ap.examplePods[category]!.length, category).toBeGreaterThan(0);
      }
      for (const pod of ap.examplePods.eligible!) allEligible.add(pod);
    }
    expect(allEligible.size).toBe(credentials.assetProviders.reduce((n, ap) => n + ap.examplePods.eligible!.length, 0));
    expect((statSync(join(dataDir, 'demo-credentials.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('lists portal logins and certified DU models, serves the portal, and logs a demo representative in', async () => {
    for (const ap of credentials.assetProviders) {
      expect(ap.certifiedModels).toContainEqual({ hardwareVersion: 'HW-2.1', softwareVersion: 'SW-1.4.0' });
      for (const rep of ap.representatives) expect(rep.password).toMatch(/^[\w-]{16}$/);
    }
    const page = await fetch(`${api.replace(/\/api\/v1$/, '')}/associations/some-page`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    const [rep] = credentials.assetProviders[0]!.representatives;
    const login = await fetch(`${api}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: rep!.email, password: rep!.password }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/^c2_session=[\w-]+;/);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly.*SameSite=Strict/);
  });

  it('answers eligibility for each example category as its name says, over a real socket', async () => {
    const ap = credentials.assetProviders[0]!;
    const token = ap.representatives[0]!.token;
    const expected: Record<string, string[]> = {
      eligible: [],
      medium_voltage: ['not_low_voltage'],
      first_generation: ['not_2g_meter'],
      not_in_mass_plan: ['not_in_mass_plan'],
      other_distributor: ['other_distributor'],
      unknown: ['pod_not_found'],
    };
    for (const [category, reasons] of Object.entries(expected)) {
      for (const pod of ap.examplePods[category]!.slice(0, 3)) {
        const { status, body } = await call(`/supply-points/${pod}/eligibility`, token);
        expect(status).toBe(200);
        expect(body, `${category} ${pod}`).toEqual({ pod, eligible: reasons.length === 0, reasons });
      }
    }
  });

  it('starts with active demo associations and completes a new one through the running workflow', async () => {
    const ap = credentials.assetProviders[1]!;
    const token = ap.representatives[0]!.token;
    const existing = await call('/associations?status=active', token);
    expect(existing.body.items.length).toBeGreaterThan(0);
    const secret = '5EC2E75EC2E75EC2E75EC2E75EC2E7AA';
    const created = await call('/associations', token, {
      method: 'POST',
      body: JSON.stringify({
        pod: ap.examplePods.eligible![0],
        du: { name: 'E2E DU', macAddress: 'DC-E2-E0-00-00-01', encryptionKey: secret, ...ap.certifiedModels[0] },
      }),
    });
    expect(created.status).toBe(202);
    let status = created.body.association.status;
    for (let i = 0; i < 50 && status !== 'active'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await call(`/associations/${created.body.association.id}`, token)).body.status;
    }
    expect(status).toBe('active');
  });

  it('stops cleanly on SIGTERM, releasing the embedded database, and never wrote a DU key in clear', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'db.lock'))).toBe(false);
    const secret = '5EC2E75EC2E75EC2E75EC2E75EC2E7AA';
    const raw = Buffer.from(secret, 'hex');
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(secret) || bytes.includes(secret.toLowerCase()) || bytes.includes(raw), file).toBe(false);
    }
    expect(output.join('')).not.toContain(secret);
    expect(output.join('')).not.toContain(credentials.assetProviders[0]!.representatives[0]!.token);
  });

  it('chain2 seed --json on the stopped database prints fresh demo tokens as JSON and revokes the old ones', async () => {
    const seed = spawn(process.execPath, ['bin/chain2.js', 'seed', '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    seed.stdout!.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
    });
    expect(await new Promise((resolve) => seed.once('exit', resolve))).toBe(0);
    const fresh = JSON.parse(stdout) as typeof credentials;
    expect(fresh.assetProviders.map((ap) => ap.name)).toEqual(credentials.assetProviders.map((ap) => ap.name));
    const [before, after] = [credentials, fresh].map((c) => c.assetProviders[0]!.representatives[0]!.token);
    expect(after).not.toBe(before);
    expect(JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'))).toEqual(fresh);
    // The association made above holds its POD: the fresh examples no longer offer it.
    expect(fresh.assetProviders[1]!.examplePods.eligible).not.toContain(
      credentials.assetProviders[1]!.examplePods.eligible![0],
    );
  }, 60_000);
});
