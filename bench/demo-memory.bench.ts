/**
 * Memory of the demo platform under load. The platform runs as `npm start` runs it (its script's node command, the
 * portal build left out) in a child process, on a temporary DATA_DIR: the demo is seeded on an empty embedded
 * database. Then BENCH_SECONDS of eligibility checks on the demo's supply points, with BENCH_CREATIONS association
 * creations spread over them, then BENCH_REST_SECONDS without load. The child's resident memory is sampled from
 * /proc/<pid>/status (VmRSS; VmHWM is the kernel's own peak) every SAMPLE_MS. Loopback only, bounded in time.
 *
 *   npm run bench:demo-memory
 *   BENCH_SECONDS=20 BENCH_REST_SECONDS=10 npm run bench:demo-memory     (quicker)
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SUPPLY_POINTS } from '../src/demo/seed.js';
import { demoPod } from '../src/demo/demo-network.js';
import { format, median, printPeakMemory, ROOT } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 90);
const REST_SECONDS = Number(process.env.BENCH_REST_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CREATIONS = Number(process.env.BENCH_CREATIONS ?? 150);
const SAMPLE_MS = 250;
/** The platform must stay under this peak (MB) through start, load and rest; BENCH_MAX_PEAK_MB=0 only reports. */
const MAX_PEAK_MB = Number(process.env.BENCH_MAX_PEAK_MB ?? 400);

interface Sample {
  atMs: number;
  rssKb: number;
  hwmKb: number;
}

/** VmRSS and VmHWM (KB) of a live process, from the kernel. */
function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

const mb = (kb: number) => format(kb / 1024);

/** CPU time a live process has used, user + system (ms; /proc counts in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The node command `npm start` runs after building the portal (`… && node [flags] bin/chain2.js start`), with
 * BENCH_NODE_FLAGS (e.g. `--max-semi-space-size=8`) in place of its flags when set, to compare settings.
 */
function startCommand(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts.start!;
  const node = /&&\s*node\s+((?:--\S+\s+)*)(bin\/chain2\.js start)$/.exec(script);
  if (!node)
    throw new Error(`npm start is no longer "… && node [flags] bin/chain2.js start" (${script}): update this bench`);
  const flags = process.env.BENCH_NODE_FLAGS ?? node[1]!;
  return [...flags.split(/\s+/).filter(Boolean), ...node[2]!.split(' ')];
}

interface Credentials {
  assetProviders: {
    representatives: { token: string }[];
    examplePods: Record<string, string[]>;
    certifiedModels: { hardwareVersion: string; softwareVersion: string }[];
  }[];
}

/** BENCH_CREATIONS associations over `seconds`, round robin over the asset providers; resolves with how many were accepted (202). */
async function createAssociations(api: string, credentials: Credentials, seconds: number): Promise<number> {
  let accepted = 0;
  const gapMs = (seconds * 1000) / Math.max(CREATIONS, 1);
  for (let i = 0; i < CREATIONS; i++) {
    const provider = credentials.assetProviders[i % credentials.assetProviders.length]!;
    const pod = provider.examplePods.eligible![Math.floor(i / credentials.assetProviders.length)];
    if (!pod) throw new Error(`not enough eligible example PODs for ${CREATIONS} creations`);
    const mac =
      `DC:BE:0C:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}:01`.toUpperCase();
    const response = await fetch(`${api}/associations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider.representatives[0]!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        pod,
        du: {
          name: `Bench DU ${i}`,
          macAddress: mac,
          encryptionKey: '0123456789ABCDEF0123456789ABCDEF',
          ...provider.certifiedModels[0],
        },
      }),
    });
    if (response.status !== 202) throw new Error(`creation ${i} answered ${response.status}: ${await response.text()}`);
    accepted += 1;
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return accepted;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'chain2-demo-memory-'));
  const command = startCommand();
  const child = spawn(process.execPath, command, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      DU_PORT: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      LOG_FORMAT: 'json',
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const samples: Sample[] = [];
  const started = performance.now();
  const sample = () => {
    try {
      samples.push({ atMs: performance.now() - started, ...memoryOf(child.pid!) });
    } catch {
      // The child has just exited: the exit is reported by `exited`.
    }
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  let output = '';
  try {
    const api = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += String(chunk);
        const match = /API:\s+(http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`platform exited with ${code}:\n${output}`)));
    });
    sample();
    const ready = samples.at(-1)!;
    const credentials = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Credentials;
    const token = credentials.assetProviders[0]!.representatives[0]!.token;

    console.error(
      `platform ready after ${format(ready.atMs / 1000, 1)} s (${mb(ready.rssKb)} MB); ${SECONDS} s of load…`,
    );
    let seed = 1;
    const randomPod = () =>
      `/api/v1/supply-points/${demoPod((seed = (seed * 48271) % 2147483647) % DEMO_SUPPLY_POINTS)}/eligibility`;
    const loadStarted = samples.length;
    const cpuBefore = cpuMsOf(child.pid!);
    const [load, created] = await Promise.all([
      autocannon({
        url: api.replace(/\/api\/v1$/, ''),
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (request) => ({ ...request, path: randomPod() }) }],
      }),
      createAssociations(api, credentials, SECONDS * 0.9),
    ]);
    if (load.non2xx > 0 || load.errors > 0) throw new Error(`${load.non2xx} non-2xx answers and ${load.errors} errors`);
    const cpuMsPerThousand = ((cpuMsOf(child.pid!) - cpuBefore) / load.requests.total) * 1000;
    const loaded = samples.slice(loadStarted);
    console.error(`${REST_SECONDS} s of rest…`);
    const restStarted = samples.length;
    await new Promise((resolve) => setTimeout(resolve, REST_SECONDS * 1000));
    sample();
    const rest = samples.slice(restStarted);
    const lastTenSeconds = rest.slice(-Math.ceil(10_000 / SAMPLE_MS));
    const peakKb = samples.at(-1)!.hwmKb;

    console.log(
      `\nDemo platform: node ${command.join(' ')} (${format(DEMO_SUPPLY_POINTS)} supply points, embedded database), Node ${process.version}`,
    );
    console.log(
      `  ready (seeded, listening)       ${format(ready.atMs / 1000, 1).padStart(7)} s    RSS ${mb(ready.rssKb).padStart(5)} MB   peak so far ${mb(ready.hwmKb)} MB`,
    );
    console.log(
      `  load: ${SECONDS} s, ${CONNECTIONS} connections   ${format(load.requests.average).padStart(7)} eligibility req/s (p99 ${load.latency.p99} ms), ` +
        `${format(load.requests.total)} checks, ${created} associations created`,
    );
    console.log(
      `  platform CPU per 1,000 checks   ${format(cpuMsPerThousand).padStart(7)} ms   (user + system; steadier than req/s on a shared machine)`,
    );
    console.log(
      `  RSS under load                  max ${mb(Math.max(...loaded.map((s) => s.rssKb))).padStart(5)} MB   median ${mb(median(loaded.map((s) => s.rssKb)))} MB`,
    );
    console.log(
      `  RSS at rest (last ${Math.min(10, REST_SECONDS)} s of ${REST_SECONDS} s)   median ${mb(median(lastTenSeconds.map((s) => s.rssKb))).padStart(5)} MB`,
    );
    console.log(
      `  peak RSS (VmHWM)                    ${mb(peakKb).padStart(5)} MB${MAX_PEAK_MB > 0 ? `   target < ${MAX_PEAK_MB} MB` : ''}`,
    );
    printPeakMemory();
    if (MAX_PEAK_MB > 0 && peakKb / 1024 >= MAX_PEAK_MB)
      throw new Error(`peak RSS ${mb(peakKb)} MB is not under ${MAX_PEAK_MB} MB`);
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
