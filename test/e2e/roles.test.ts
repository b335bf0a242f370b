import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../support/databases.js';
import { addSupplyPoints, createTestPlatform, makeAssetProvider, makeDu } from '../support/platform.js';
import { exited, ROOT, startRole } from '../support/processes.js';

/** One binary, roles by config: an API process and a worker process sharing one PostgreSQL server. */
const postgres = backends().find((b) => b.name === 'PostgreSQL')!;

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
      await exited(child);
    }
    await scratch?.drop();
  });

  it('takes a request on the API process and completes it on the worker process', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = (await (
      await fetch(`${api}/associations`, { method: 'POST', headers, body: JSON.stringify({ pod, du: makeDu() }) })
    ).json()) as {
      association: { id: string; status: string };
    };
    expect(created.association.status).toBe('pending');
    let status = 'pending';
    for (let i = 0; i < 100 && status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (
        (await (await fetch(`${api}/associations/${created.association.id}`, { headers })).json()) as { status: string }
      ).status;
    }
    expect(status).toBe('active');
  });

  it('refuses ROLE=api on the embedded database with a clear error', async () => {
    const child = spawn(process.execPath, ['bin/chain2.js', 'start'], {
      cwd: ROOT,
      env: { ...process.env, ROLE: 'api', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
    });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(stderr).toContain('ROLE=api needs DATABASE_URL');
  });
});
