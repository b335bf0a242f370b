import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../support/databases.js';
import { addSupplyPoints, createTestPlatform, makeAssetProvider, makeDu, TEST_MASTER_KEY } from '../support/platform.js';

/** One binary, roles by config: an API process and a worker process sharing one PostgreSQL server. */
const ROOT = join(import.meta.dirname, '..', '..');
const postgres = backends().find((b) => b.name === 'PostgreSQL')!;

function startRole(role: 'api' | 'worker', url: string, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, ['bin/chain2.js', 'start', '--no-demo'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ROLE: role, DATABASE_URL: url, MASTER_KEY: TEST_MASTER_KEY, PORT: '0', LOG_LEVEL: 'warn',
      SIMULATOR_TIME_SCALE: '1000', SIMULATOR_UNREACHABLE_RATE: '0', SIMULATOR_LOSS_RATE: '0' },
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += String(chunk);
      const match = ready.exec(text);
      if (match) resolve({ child, match, output: () => text });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}:\n${text}`)));
  });
}

describe.skipIf(!postgres.available)('ROLE=api and ROLE=worker on one PostgreSQL', () => {
  let scratch: ScratchDatabase;
  const children: ChildProcess[] = [];
  let api: string;
  let token: string;
  let pod: string;

  beforeAll(async () => {
    scratch = await postgres.create();
    const setup = await createTestPlatform(scratch.target);
    await setup.storage.supplyPoints.insertConcentrators([{ concentratorId: 'CN000001', substation: 'Cabina 1' }]);
    pod = (await addSupplyPoints(setup, { concentratorId: 'CN000001' }))[0]!.pod;
    token = (await makeAssetProvider(setup)).token;
    await setup.close();
    const url = scratch.target.kind === 'postgres' ? scratch.target.url : '';
    const apiProcess = await startRole('api', url, /API:\s+(http:\/\/\S+)/);
    children.push(apiProcess.child);
    api = apiProcess.match[1]!;
    children.push((await startRole('worker', url, /worker is running/)).child);
  }, 90_000);
  afterAll(async () => {
    for (const child of children) {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
    await scratch?.drop();
  });

  it('takes a request on the API process and completes it on the worker process', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await (await fetch(`${api}/associations`, { method: 'POST', headers, body: JSON.stringify({ pod, du: makeDu() }) })).json() as {
      association: { id: string; status: string };
    };
    expect(created.association.status).toBe('pending');
    let status = 'pending';
    for (let i = 0; i < 100 && status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await (await fetch(`${api}/associations/${created.association.id}`, { headers })).json()) as { status: string }).status;
    }
    expect(status).toBe('active');
  });

  it('refuses ROLE=api on the embedded database with a clear error', async () => {
    const child = spawn(process.execPath, ['bin/chain2.js', 'start'], { cwd: ROOT, env: { ...process.env, ROLE: 'api', DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += String(chunk); });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(stderr).toContain('ROLE=api needs DATABASE_URL');
  });
});
