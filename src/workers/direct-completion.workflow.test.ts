import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addSupplyPoints,
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  type TestPlatform,
} from '../../test/support/platform.js';

describe('DirectCompletionWorkflow (stand-in until telemanagement)', () => {
  const opened: TestPlatform[] = [];
  afterEach(async () => {
    for (const p of opened.splice(0)) await p.close();
  });
  async function open(dataDir: string) {
    const platform = await createTestPlatform(
      { kind: 'embedded', dataDir: join(dataDir, 'db') },
      { DATA_DIR: dataDir },
    );
    opened.push(platform);
    return platform;
  }

  it('completes a request submitted before a restart once a workflow runs again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chain2-workflow-'));
    const first = await open(dataDir);
    const ap = await makeAssetProvider(first);
    const [sp] = await addSupplyPoints(first, {});
    const { association, request } = await first.services.associations.create(ap, { pod: sp!.pod, du: makeDu() });
    await first.close();
    opened.length = 0;

    const second = await open(dataDir);
    second.workflow.start();
    await expect
      .poll(async () => (await second.services.requests.get(ap, request.requestId)).status, { timeout: 5000 })
      .toBe('completed');
    expect((await second.services.associations.get(ap, association.associationId)).status).toBe('active');
  });

  it('is woken by a new request instead of waiting for its next sweep', async () => {
    const platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined }, { WORKFLOW_POLL_MS: '60000' });
    opened.push(platform);
    const ap = await makeAssetProvider(platform);
    const [sp] = await addSupplyPoints(platform, {});
    platform.workflow.start();
    await new Promise((r) => setTimeout(r, 100)); // let the first sweep find nothing and go to sleep
    const { request } = await platform.services.associations.create(ap, { pod: sp!.pod, du: makeDu() });
    await expect
      .poll(async () => (await platform.services.requests.get(ap, request.requestId)).status, { timeout: 2000 })
      .toBe('completed');
  });

  it('says in the log, when it starts, that it programs no meter', async () => {
    const platform = await createTestPlatform({ kind: 'embedded', dataDir: undefined });
    opened.push(platform);
    expect(platform.logs.join('')).not.toContain('STAND-IN');
    platform.workflow.start();
    expect(platform.logs.join('')).toContain('without programming any meter');
  });
});
