/**
 * The `du` command (`chain2 du …`; the main CLI imports it from cli.ts): runs one DU emulator, or a fleet, tapped onto
 * a power-line bridge, with the DU WebSocket (and optionally MQTT) to watch. Reads no environment of its own: the
 * caller passes `io.env` (only CHAIN2_DU_KEY is used) and wires SIGINT/SIGTERM to the returned `close()`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CodecErrorCode } from '../../src/codec/index.js';
import { connectPowerLine, type PowerLineTap } from '../power-line/index.js';
import { DuEmulator } from './du-emulator.js';
import { DuMqttPublisher, DEFAULT_TOPIC_PREFIX } from './du-mqtt-publisher.js';
import { DuServerMode, DuWebSocketServer } from './du-websocket-server.js';

export const DU_USAGE = `Usage:
  chain2 du --mac <MAC> --key <KEY> --pod <POD> --medium <URL> [options]   one DU, WebSocket at /
  chain2 du --fleet <file.json> --medium <URL> [options]                  many DUs, WebSockets at /du/<MAC>

  --mac <MAC>            the DU's MAC address (DC + 10 hex digits; ':' or '-' separators accepted)
  --key <KEY>            the DU's AES-128 key, 32 hex digits; or set CHAIN2_DU_KEY (keeps it out of 'ps')
  --pod <POD>            the supply point the DU is associated with
  --id <ID>              the DU id in Chain2Data.Id (default du-<MAC>)
  --fleet <file.json>    a JSON array of {"pod", "macAddress", "key", "id"?}
  --medium <URL>         the power-line bridge, e.g. ws://127.0.0.1:8080/power-line
  --ws-host <HOST>       address of the DU WebSocket (default 127.0.0.1)
  --ws-port <N>          its port; 0 = any free port (default 0; real DUs use 81)
  --mqtt <URL>           also publish to this broker, e.g. mqtt://127.0.0.1:1883
  --mqtt-prefix <P>      topic prefix (default ${DEFAULT_TOPIC_PREFIX}): <P>/<DU id>/data, <P>/<DU id>/info (retained)
  --help                 this text

Clients of the DU WebSocket send "!" and receive {"Chain2Info":{…}}, then every frame as {"Chain2Data":{…}}.`;

const KEY_ENV = 'CHAIN2_DU_KEY';
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

export interface DuCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Only CHAIN2_DU_KEY is read. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningDuCommand {
  running: true;
  /** Where to watch each DU. */
  endpoints: { duId: string; macAddress: string; url: string }[];
  /** Stops everything (taps, WebSocket server, MQTT) and prints a summary; `done` then resolves with 0. Idempotent. */
  close(): Promise<void>;
  /** The exit code: 0 after `close()`, 1 when a power-line connection was lost (everything is then stopped). */
  done: Promise<number>;
}

export type DuCommandResult = RunningDuCommand | { running: false; exitCode: number };

interface DuSpec {
  id: string | undefined;
  pod: unknown;
  macAddress: unknown;
  key: unknown;
}

interface DuCommandOptions {
  specs: DuSpec[];
  mode: DuServerMode;
  mediumUrl: string;
  wsHost: string;
  wsPort: number;
  mqttUrl: string | undefined;
  mqttPrefix: string;
}

export async function runDuCommand(args: string[], io: DuCommandIo): Promise<DuCommandResult> {
  const parsed = await parseDuArguments(args, io.env ?? {});
  if (parsed === 'help') {
    io.stdout.write(`${DU_USAGE}\n`);
    return { running: false, exitCode: 0 };
  }
  if (Array.isArray(parsed)) {
    io.stderr.write(`chain2 du: ${parsed.join('\n  ')}\n\n${DU_USAGE}\n`);
    return { running: false, exitCode: EXIT_USAGE };
  }
  const dus: DuEmulator[] = [];
  const problems: string[] = [];
  parsed.specs.forEach((spec, index) => {
    const where = parsed.mode === DuServerMode.fleet ? `fleet[${index}]: ` : '';
    try {
      const macAddress = String(spec.macAddress ?? '');
      dus.push(
        new DuEmulator({
          id: spec.id ?? defaultDuId(macAddress),
          pod: spec.pod as string,
          macAddress,
          key: spec.key as string,
        }),
      );
    } catch (error) {
      problems.push(`${where}${(error as Error).message.replace(/^DuEmulator: /, '')}`);
    }
  });
  problems.push(...duplicatesOf(dus));
  if (problems.length > 0) {
    io.stderr.write(`chain2 du: ${problems.join('\n  ')}\n`);
    return { running: false, exitCode: EXIT_USAGE };
  }
  try {
    return await startDus(dus, parsed, io);
  } catch (error) {
    io.stderr.write(`chain2 du: ${(error as Error).message}\n`);
    return { running: false, exitCode: EXIT_FAILURE };
  }
}

async function startDus(dus: DuEmulator[], options: DuCommandOptions, io: DuCommandIo): Promise<RunningDuCommand> {
  const taps: PowerLineTap[] = [];
  let server: DuWebSocketServer | undefined;
  let mqtt: DuMqttPublisher | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.all([...taps.map((tap) => tap.close()), server?.close(), mqtt?.close()]);
  };
  try {
    server = await DuWebSocketServer.listen({ mode: options.mode, dus, host: options.wsHost, port: options.wsPort });
    if (options.mqttUrl !== undefined) {
      mqtt = await DuMqttPublisher.connect({
        url: options.mqttUrl,
        topicPrefix: options.mqttPrefix,
        onProblem: (message) => io.stderr.write(`${message}\n`),
      });
      for (const du of dus) mqtt.attach(du, options.wsHost);
    }
    for (const du of dus) taps.push(await connectPowerLine(options.mediumUrl, du.macAddress, receiverOf(du, io)));
  } catch (error) {
    await stopAll();
    throw error;
  }

  const endpoints = server.endpoints();
  for (const { duId, macAddress, url } of endpoints) {
    const du = dus.find((candidate) => candidate.id === duId)!;
    io.stdout.write(`DU ${duId} (MAC ${macAddress}, POD ${du.pod}): watch ${url} (send "!")\n`);
    if (mqtt) {
      const topics = mqtt.topicsOf(duId);
      io.stdout.write(`  MQTT ${topics.data}, ${topics.info} (retained)\n`);
    }
  }
  io.stdout.write(`${dus.length} DU(s) listening on the power line at ${options.mediumUrl}\n`);

  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> => {
    stopping ??= (async () => {
      await stopAll();
      for (const du of dus) io.stdout.write(`${summaryOf(du)}\n`);
      resolveDone(code);
    })();
    return stopping;
  };
  taps.forEach((tap, index) => {
    void tap.closed.then(({ code, reason }) => {
      if (stopping) return;
      io.stderr.write(
        `chain2 du: lost the power line for ${dus[index]!.macAddress} (close ${code}${reason ? `: ${reason}` : ''}); stopping\n`,
      );
      void stop(EXIT_FAILURE);
    });
  });
  return { running: true, endpoints, close: () => stop(0), done };
}

/** Feeds a DU from its tap; the first refusal of each kind is reported, the rest only counted (summary at the end). */
function receiverOf(du: DuEmulator, io: DuCommandIo): (frame: Uint8Array) => void {
  const reported = new Set<CodecErrorCode>();
  return (frame) => {
    const outcome = du.receive(frame);
    if (outcome.accepted || reported.has(outcome.code)) return;
    reported.add(outcome.code);
    const hint = outcome.code === 'authentication_failed' ? ' (wrong key, or a tampered frame)' : '';
    io.stderr.write(`DU ${du.id}: refused a frame: ${outcome.code}${hint}; further ones are counted\n`);
  };
}

function summaryOf(du: DuEmulator): string {
  const rejections = Object.entries(du.rejections()).map(([code, count]) => `${code} ${count}`);
  return `DU ${du.id}: ${du.framesAccepted} frame(s) accepted, ${du.framesRejected} refused${rejections.length ? ` (${rejections.join(', ')})` : ''}`;
}

function defaultDuId(macAddress: string): string {
  return `du-${macAddress.replace(/[:-]/g, '').toUpperCase()}`;
}

function duplicatesOf(dus: readonly DuEmulator[]): string[] {
  const problems: string[] = [];
  for (const field of ['macAddress', 'id'] as const) {
    const seen = new Set<string>();
    for (const du of dus) {
      if (seen.has(du[field])) problems.push(`fleet: two DUs with ${field} ${du[field]}`);
      seen.add(du[field]);
    }
  }
  return problems;
}

/** The options, 'help', or every problem found (all at once, each naming its option). */
async function parseDuArguments(
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<DuCommandOptions | 'help' | string[]> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        mac: { type: 'string' },
        key: { type: 'string' },
        pod: { type: 'string' },
        id: { type: 'string' },
        fleet: { type: 'string' },
        medium: { type: 'string' },
        'ws-host': { type: 'string', default: '127.0.0.1' },
        'ws-port': { type: 'string', default: '0' },
        mqtt: { type: 'string' },
        'mqtt-prefix': { type: 'string', default: DEFAULT_TOPIC_PREFIX },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return [(error as Error).message]; // node:util names the unknown option or the missing value
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const wsPort = Number(values['ws-port']);
  if (!/^\d+$/.test(values['ws-port']) || wsPort > 65_535)
    problems.push(`--ws-port must be an integer 0-65535, got "${values['ws-port']}"`);
  if (values.medium === undefined)
    problems.push('--medium is required (the power-line bridge, e.g. ws://127.0.0.1:8080/power-line)');
  else if (!/^wss?:\/\/./.test(values.medium))
    problems.push(`--medium must be a ws:// or wss:// URL, got "${values.medium}"`);
  if (values.mqtt !== undefined && !/^(mqtts?|wss?|tcp|ssl):\/\/./.test(values.mqtt)) {
    problems.push('--mqtt must be a URL such as mqtt://127.0.0.1:1883');
  }

  let specs: DuSpec[] = [];
  if (values.fleet !== undefined) {
    const single = (['mac', 'key', 'pod', 'id'] as const).filter((name) => values[name] !== undefined);
    if (single.length > 0)
      problems.push(`--fleet cannot be combined with ${single.map((name) => `--${name}`).join(', ')}`);
    const fleet = await readFleetFile(values.fleet);
    if (Array.isArray(fleet)) specs = fleet;
    else problems.push(fleet.problem);
  } else {
    const key = values.key ?? env[KEY_ENV];
    for (const [name, value] of [
      ['mac', values.mac],
      ['pod', values.pod],
    ] as const) {
      if (value === undefined) problems.push(`--${name} is required (or use --fleet)`);
    }
    if (key === undefined) problems.push(`--key is required, or set ${KEY_ENV}`);
    specs = [{ id: values.id, pod: values.pod, macAddress: values.mac, key }];
  }
  if (problems.length > 0) return problems;
  return {
    specs,
    mode: values.fleet !== undefined ? DuServerMode.fleet : DuServerMode.single,
    mediumUrl: values.medium!,
    wsHost: values['ws-host'],
    wsPort,
    mqttUrl: values.mqtt,
    mqttPrefix: values['mqtt-prefix'],
  };
}

async function readFleetFile(path: string): Promise<DuSpec[] | { problem: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      problem: `--fleet ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `--fleet ${path}: not JSON` }; // the parser's message may quote the file, and the file holds keys
  }
  if (!Array.isArray(value) || value.length === 0)
    return { problem: `--fleet ${path}: expected a non-empty JSON array of {"pod", "macAddress", "key"}` };
  const specs: DuSpec[] = [];
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return { problem: `--fleet ${path}: fleet[${index}] must be an object` };
    const { pod, macAddress, key, id } = entry as Record<string, unknown>;
    if (id !== undefined && typeof id !== 'string')
      return { problem: `--fleet ${path}: fleet[${index}].id must be a string` };
    specs.push({ id, pod, macAddress, key });
  }
  return specs;
}
