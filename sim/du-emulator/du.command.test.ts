import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseChain2Json } from '../../src/codec/index.js';
import type { PowerLineMedium } from '../power-line/index.js';
import { startPowerLineServer, type PowerLineServer } from '../power-line/power-line-server.test-support.js';
import { runDuCommand, type DuCommandResult, type RunningDuCommand } from './du.command.js';
import { KEY, MAC, OTHER_KEY, OTHER_MAC, OTHER_POD, POD, makeMeter } from './meter-frames.test-support.js';
import { WatchClient } from './watch-client.test-support.js';

let medium: PowerLineMedium;
let line: PowerLineServer;
let mediumUrl: string;
let directory: string;
const running: RunningDuCommand[] = [];
const clients: WatchClient[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'du-command-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

beforeEach(async () => {
  line = await startPowerLineServer();
  ({ medium, url: mediumUrl } = line);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(running.splice(0).map((command) => command.close()));
  await line.close();
});

function makeIo(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      env,
    },
  };
}

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ result: DuCommandResult; out: { stdout: string; stderr: string } }> {
  const { io, out } = makeIo(env);
  const result = await runDuCommand(args, io);
  if (result.running) running.push(result);
  return { result, out };
}

async function untilListening(mac: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && medium.listenerCount(mac) === 0; attempt++)
    await new Promise((r) => setTimeout(r, 5));
  expect(medium.listenerCount(mac)).toBe(1);
}

describe('runDuCommand: one DU', () => {
  it('taps the medium for its MAC, prints the WebSocket to watch, streams frames, and stops with a summary', async () => {
    const { result, out } = await run(['--mac', 'dc:0a:1b:2c:3d:4e', '--pod', POD, '--medium', mediumUrl], {
      CHAIN2_DU_KEY: KEY,
    });
    if (!result.running) throw new Error(out.stderr);
    const url = /watch (ws:\/\/\S+)/.exec(out.stdout)?.[1];
    expect(url).toBe(result.endpoints[0]!.url);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(out.stdout).not.toContain(KEY);
    await untilListening(MAC);

    const client = await WatchClient.connect(url!);
    clients.push(client);
    client.send('!');
    expect(await client.next()).toMatchObject({ Chain2Info: { Id: `du-${MAC}`, Mac: MAC } });
    const [forged] = makeMeter({ key: OTHER_KEY }).advanceTo(new Date('2026-03-01T22:15:00+01:00'));
    const sent = makeMeter().advanceTo(new Date('2026-03-01T22:30:00+01:00'));
    medium.transmit(MAC, forged!.sealed);
    for (const { sealed } of sent) medium.transmit(MAC, sealed);
    for (const { frame } of sent) expect(parseChain2Json(JSON.stringify(await client.next())).frame).toEqual(frame);
    expect(out.stderr).toMatch(new RegExp(`DU du-${MAC}: refused a frame: authentication_failed`));

    await result.close();
    expect(await result.done).toBe(0);
    expect(out.stdout).toContain(`DU du-${MAC}: ${sent.length} frame(s) accepted, 1 refused (authentication_failed 1)`);
    expect(medium.listenerCount(MAC)).toBe(0);
  });

  it('stops with exit code 1 when the power line goes away', async () => {
    const { result, out } = await run([
      '--mac',
      MAC,
      '--key',
      KEY,
      '--pod',
      POD,
      '--medium',
      mediumUrl,
      '--id',
      'kitchen-du',
    ]);
    if (!result.running) throw new Error(out.stderr);
    await line.bridge.close();
    expect(await result.done).toBe(1);
    expect(out.stderr).toMatch(
      /lost the power line for DC0A1B2C3D4E \(close 1001: power-line bridge closing\); stopping/,
    );
    expect(out.stdout).toContain('DU kitchen-du: 0 frame(s) accepted');
  });

  it('fails with exit code 1 and the URL when the medium cannot be reached', async () => {
    const { result, out } = await run([
      '--mac',
      MAC,
      '--key',
      KEY,
      '--pod',
      POD,
      '--medium',
      'ws://127.0.0.1:1/power-line',
    ]);
    expect(result).toEqual({ running: false, exitCode: 1 });
    expect(out.stderr).toMatch(/power line ws:\/\/127\.0\.0\.1:1\/power-line\/DC0A1B2C3D4E: cannot connect/);
  });
});

describe('runDuCommand: fleet', () => {
  it('hosts every DU of the file at /du/<MAC> on one port and routes frames by MAC', async () => {
    const file = join(directory, 'fleet.json');
    await writeFile(
      file,
      JSON.stringify([
        { pod: POD, macAddress: MAC, key: KEY },
        { pod: OTHER_POD, macAddress: OTHER_MAC, key: OTHER_KEY, id: 'garage' },
      ]),
    );
    const { result, out } = await run(['--fleet', file, '--medium', mediumUrl]);
    if (!result.running) throw new Error(out.stderr);
    expect(result.endpoints.map(({ duId, url }) => [duId, new URL(url).pathname])).toEqual([
      [`du-${MAC}`, `/du/${MAC}`],
      ['garage', `/du/${OTHER_MAC}`],
    ]);
    expect(out.stdout).toContain('2 DU(s) listening on the power line');
    await untilListening(OTHER_MAC);

    const garage = await WatchClient.connect(result.endpoints[1]!.url);
    clients.push(garage);
    garage.send('!');
    expect(await garage.next()).toMatchObject({ Chain2Info: { Id: 'garage', Mac: OTHER_MAC } });
    const [mine] = makeMeter({ key: KEY }).advanceTo(new Date('2026-03-01T22:15:00+01:00'));
    const [theirs] = makeMeter({ key: OTHER_KEY, pod: OTHER_POD }).advanceTo(new Date('2026-03-01T22:15:00+01:00'));
    medium.transmit(MAC, mine!.sealed);
    medium.transmit(OTHER_MAC, theirs!.sealed);
    expect(await garage.next()).toMatchObject({ Chain2Data: { Id: 'garage', Type: theirs!.frame.type } });
    expect(garage.pending).toBe(0);
  });

  it('names each bad fleet entry without echoing keys', async () => {
    const file = join(directory, 'bad-fleet.json');
    const badKey = 'not-a-key-but-secret-0123456789';
    await writeFile(
      file,
      JSON.stringify([
        { pod: POD, macAddress: MAC, key: badKey },
        { pod: 'IT9', macAddress: MAC, key: KEY },
      ]),
    );
    const { result, out } = await run(['--fleet', file, '--medium', mediumUrl]);
    expect(result).toEqual({ running: false, exitCode: 2 });
    expect(out.stderr).toContain('fleet[0]: Invalid value at key: expected 32 hex digits');
    expect(out.stderr).toMatch(/fleet\[1\]: pod must be IT/);
    expect(out.stderr).not.toContain(badKey);
  });

  it('refuses a duplicated MAC, a missing file and a file that is not JSON', async () => {
    const file = join(directory, 'twice.json');
    await writeFile(
      file,
      JSON.stringify([
        { pod: POD, macAddress: MAC, key: KEY },
        { pod: OTHER_POD, macAddress: 'dc-0a-1b-2c-3d-4e', key: KEY, id: 'x' },
      ]),
    );
    expect((await run(['--fleet', file, '--medium', mediumUrl])).out.stderr).toContain(
      `two DUs with macAddress ${MAC}`,
    );
    expect((await run(['--fleet', join(directory, 'missing.json'), '--medium', mediumUrl])).out.stderr).toContain(
      'cannot read (ENOENT)',
    );
    const notJson = join(directory, 'not.json');
    await writeFile(notJson, `[{"key": "${KEY}",`);
    const { out } = await run(['--fleet', notJson, '--medium', mediumUrl]);
    expect(out.stderr).toContain('not JSON');
    expect(out.stderr).not.toContain(KEY);
  });
});

describe('runDuCommand: arguments', () => {
  it('lists every missing or invalid argument at once, with the usage, exit code 2', async () => {
    const { result, out } = await run(['--mac', MAC, '--ws-port', '99999']);
    expect(result).toEqual({ running: false, exitCode: 2 });
    expect(out.stderr).toContain('--ws-port must be an integer 0-65535, got "99999"');
    expect(out.stderr).toContain('--medium is required');
    expect(out.stderr).toContain('--pod is required');
    expect(out.stderr).toContain('--key is required, or set CHAIN2_DU_KEY');
    expect(out.stderr).toContain('Usage:');
  });

  it('names an unknown option, a bad medium URL and mixing --fleet with --mac', async () => {
    expect((await run(['--port', '1'])).out.stderr).toMatch(/Unknown option '--port'/);
    expect((await run(['--mac', MAC, '--key', KEY, '--pod', POD, '--medium', 'http://x'])).out.stderr).toContain(
      '--medium must be a ws:// or wss:// URL',
    );
    expect((await run(['--fleet', 'f.json', '--mac', MAC, '--medium', mediumUrl])).out.stderr).toContain(
      '--fleet cannot be combined with --mac',
    );
  });

  it('refuses an invalid key without repeating it', async () => {
    const { result, out } = await run(['--mac', MAC, '--key', 'SECRET-BUT-WRONG', '--pod', POD, '--medium', mediumUrl]);
    expect(result).toEqual({ running: false, exitCode: 2 });
    expect(out.stderr).toContain('key: expected 32 hex digits');
    expect(out.stderr).not.toContain('SECRET-BUT-WRONG');
  });

  it('prints the usage for --help', async () => {
    const { result, out } = await run(['--help']);
    expect(result).toEqual({ running: false, exitCode: 0 });
    expect(out.stdout).toMatch(/^Usage:/);
  });
});
