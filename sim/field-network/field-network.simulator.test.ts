import { describe, expect, it } from 'vitest';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import type { AddressedCommand, CommandOutcome, MeterCommand } from '../../src/domain/meter-command.js';
import type { Logger } from '../../src/services/ports/index.js';
import { FieldNetworkSimulator, type FieldNetworkSimulatorInit } from './field-network.simulator.js';
import type { NetworkSite } from '../../src/services/ports/index.js';
import { attemptTiming } from './plc-link.js';
import { VirtualScheduler } from './scheduler.js';

/** Monday 12 January 2026, 09:00 in Rome: inside F1. */
const START_MS = Date.UTC(2026, 0, 12, 8, 0);
const HOUR_MS = 3_600_000;
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;
const MAC = 'DC0A1B2C3D4E' as MacAddress;
const RELIABLE = { lossRate: 0, unreachableRate: 0 } as const;

function podOf(index: number): Pod {
  return `IT001E${String(10_000_000 + index).padStart(8, '0')}` as Pod;
}

/** `concentrators` × `metersEach` meters, the n-th meter of concentrator c being podOf(c * metersEach + n). */
function makeSites(concentrators: number, metersEach: number, contractPowerW = 3000): NetworkSite[] {
  return Array.from({ length: concentrators * metersEach }, (_, i) => ({
    pod: podOf(i),
    meterSerial: `21E4E5KA1${String(i).padStart(8, '0')}`,
    concentratorId: `CN${String(Math.floor(i / metersEach) + 1).padStart(6, '0')}`,
    contractPowerW,
  }));
}

function makeNetwork(init: FieldNetworkSimulatorInit & { concentrators?: number; metersEach?: number } = {}) {
  const { concentrators = 2, metersEach = 5, ...rest } = init;
  const scheduler = new VirtualScheduler({ startMs: START_MS });
  const network = new FieldNetworkSimulator({
    scheduler,
    meters: makeSites(concentrators, metersEach),
    ...RELIABLE,
    ...rest,
  });
  let next = 0;
  const send = (pod: Pod, command: MeterCommand, commandId = `cmd-${++next}`) =>
    network.send({ commandId, pod, command });
  return { network, scheduler, send };
}

/** Outcome times are Dates, whole milliseconds: compare to the simulated instant within 1 ms. */
function expectMs(actualMs: number, expectedMs: number): void {
  expect(Math.abs(actualMs - expectedMs)).toBeLessThan(1);
}

function expectDone(outcome: CommandOutcome): asserts outcome is Extract<CommandOutcome, { status: 'done' }> {
  expect(outcome).toMatchObject({ status: 'done' });
}

describe('FieldNetworkSimulator: what the meter does', () => {
  it('programs Chain 2: the meter holds the DU MAC and key, and its state shows only the last four digits', async () => {
    const { network, send } = makeNetwork();
    expectDone(await send(podOf(0), { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }));
    const state = network.meterState(podOf(0));
    expect(state).toMatchObject({ hasChain2: true, macAddress: MAC, keyLast4: 'EEFF' });
    expect(JSON.stringify(state)).not.toContain(KEY);
    expect(network.chain2KeyOf(podOf(0))).toBe(KEY);
  });

  it('clears Chain 2: the meter keeps no MAC and no key', async () => {
    const { network, send } = makeNetwork();
    await send(podOf(0), { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    expectDone(await send(podOf(0), { kind: 'clear_chain2' }));
    expect(network.meterState(podOf(0))).toMatchObject({ hasChain2: false, macAddress: null, keyLast4: null });
    expect(network.chain2KeyOf(podOf(0))).toBeUndefined();
  });

  it('applies a repeated command id once and acknowledges the repeat', async () => {
    const { network, send } = makeNetwork();
    const otherMac = 'DCFFFFFFFFFF' as MacAddress;
    expectDone(await send(podOf(0), { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, 'same-id'));
    expectDone(await send(podOf(0), { kind: 'program_chain2', macAddress: otherMac, encryptionKey: KEY }, 'same-id'));
    expect(network.meterState(podOf(0))).toMatchObject({ macAddress: MAC, commandsProcessed: 1 });
  });

  it('answers a repeated read with the registers of the first read', async () => {
    const { scheduler, send } = makeNetwork();
    const first = await send(podOf(0), { kind: 'read_registers' }, 'read-1');
    await scheduler.sleep(HOUR_MS);
    const repeat = await send(podOf(0), { kind: 'read_registers' }, 'read-1');
    expectDone(first);
    expectDone(repeat);
    expect(repeat.registers).toEqual(first.registers);
    expect(repeat.completedAt.getTime()).toBeGreaterThan(first.completedAt.getTime());
  });

  it('disconnects and reconnects the supply', async () => {
    const { network, send } = makeNetwork();
    expectDone(await send(podOf(0), { kind: 'disconnect' }));
    expect(network.meterState(podOf(0))?.connected).toBe(false);
    expectDone(await send(podOf(0), { kind: 'connect' }));
    expect(network.meterState(podOf(0))?.connected).toBe(true);
  });

  it('sets the available power within range and refuses 0, a negative value and more than 3 × contract', async () => {
    const { network, send } = makeNetwork();
    expect(network.meterState(podOf(0))?.availablePowerW).toBe(3300);
    expectDone(await send(podOf(0), { kind: 'set_available_power', availablePowerW: 4500 }));
    for (const availablePowerW of [0, -100, 9001, Number.NaN]) {
      expect(await send(podOf(0), { kind: 'set_available_power', availablePowerW })).toMatchObject({
        status: 'failed',
        reason: 'rejected_by_meter',
        attempts: 1,
      });
    }
    expect(network.meterState(podOf(0))?.availablePowerW).toBe(4500);
  });

  it('reads registers whose energy grows with simulated time while connected, and not while disconnected', async () => {
    const { scheduler, send } = makeNetwork();
    const read = async () => {
      const outcome = await send(podOf(0), { kind: 'read_registers' });
      expectDone(outcome);
      return outcome.registers!;
    };
    const first = await read();
    await scheduler.sleep(HOUR_MS);
    const second = await read();
    expect(second.importEnergyWh).toBeGreaterThan(first.importEnergyWh);
    expect(second.importEnergyByBandWh[0]).toBeGreaterThan(first.importEnergyByBandWh[0]); // 09:00–10:00 on a Monday is F1
    expect(second.readAt.getTime() - first.readAt.getTime()).toBeGreaterThanOrEqual(HOUR_MS);

    await send(podOf(0), { kind: 'disconnect' });
    const atDisconnect = await read();
    await scheduler.sleep(HOUR_MS);
    const later = await read();
    expect(later.importEnergyWh).toBe(atDisconnect.importEnergyWh);
    expect(later.connected).toBe(false);
  });

  it('programs a tariff calendar the meter then bills by', async () => {
    const { network, scheduler, send } = makeNetwork();
    const allF5 = {
      weekday: [{ fromMinute: 0, band: 5 as const }],
      saturday: [{ fromMinute: 0, band: 5 as const }],
      holiday: [{ fromMinute: 0, band: 5 as const }],
    };
    expectDone(await send(podOf(0), { kind: 'set_tariff_calendar', calendar: allF5 }));
    expect(network.meterState(podOf(0))?.tariffCalendar).toEqual(allF5);
    const before = network.registersOf(podOf(0))!;
    await scheduler.sleep(HOUR_MS);
    const after = network.registersOf(podOf(0))!;
    expect(after.importEnergyByBandWh[4]).toBeGreaterThan(before.importEnergyByBandWh[4]);
    expect(after.importEnergyByBandWh[0]).toBe(before.importEnergyByBandWh[0]);
  });
});

describe('FieldNetworkSimulator: the Chain 1 link', () => {
  it('fails an unknown POD at once with unknown_meter, without touching the field', async () => {
    const { network, scheduler, send } = makeNetwork();
    const outcome = await send('IT001E99999999' as Pod, { kind: 'connect' });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'unknown_meter', attempts: 0 });
    expect(outcome.completedAt.getTime()).toBe(START_MS);
    expect(scheduler.now()).toBe(START_MS);
    expect(network.counters()).toMatchObject({ attempts: 0, failed: 1, failedByReason: { unknown_meter: 1 } });
  });

  it('takes one attempt per command on a clean link: two frames and a hop latency each way', async () => {
    const { scheduler, send } = makeNetwork();
    const command: MeterCommand = { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY };
    const outcome = await send(podOf(0), command);
    // 90 bytes at 4,800 bit/s = 150 ms, plus 2 × 300 ms.
    expect(outcome).toMatchObject({ status: 'done', attempts: 1 });
    expectMs(outcome.completedAt.getTime() - START_MS, 750);
    expect(scheduler.now() - START_MS).toBeCloseTo(750, 2);
  });

  it('retries lost attempts with back-off and still ends done, each command executed once', async () => {
    const { network, send } = makeNetwork({ lossRate: 0.5, seed: 7, concentrators: 1, metersEach: 1 });
    const outcomes: CommandOutcome[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(await send(podOf(0), { kind: i % 2 === 0 ? 'disconnect' : 'connect' }));
    const done = outcomes.filter((o) => o.status === 'done');
    expect(done.some((o) => o.attempts > 1)).toBe(true);
    expect(network.counters().retried).toBeGreaterThan(0);
    // An attempt whose answer was lost did execute; its retry must not execute again.
    expect(network.meterState(podOf(0))?.commandsProcessed).toBeLessThanOrEqual(20);
    expect(network.meterState(podOf(0))?.commandsProcessed).toBeGreaterThanOrEqual(done.length);
  });

  it('gives the same outcomes for the same seed', async () => {
    const run = async (seed: number) => {
      const { send } = makeNetwork({ lossRate: 0.4, seed, concentrators: 1, metersEach: 3 });
      const attempts: number[] = [];
      for (let i = 0; i < 15; i++) attempts.push((await send(podOf(i % 3), { kind: 'read_registers' })).attempts);
      return attempts;
    };
    expect(await run(42)).toEqual(await run(42));
    expect(await run(42)).not.toEqual(await run(43));
  });

  it('fails with link_timeout after maxAttempts when every attempt is lost, having waited the back-offs', async () => {
    const { network, scheduler, send } = makeNetwork({ lossRate: 1, maxAttempts: 4, backoffMs: 1000 });
    const outcome = await send(podOf(0), { kind: 'connect' });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'link_timeout', attempts: 4 });
    const attempt = attemptTiming({ kind: 'connect' }, { bitRate: 4800, latencyMs: 300 });
    const attemptMs = attempt.downMs + attempt.upMs;
    expect(scheduler.now() - START_MS).toBeCloseTo(4 * attemptMs + 1000 + 2000 + 4000, 2);
    expect(network.counters()).toMatchObject({
      attempts: 4,
      retried: 3,
      failed: 1,
      failedByReason: { link_timeout: 1 },
    });
    expect(network.meterState(podOf(0))?.commandsProcessed).toBeLessThanOrEqual(1);
  });

  it('fails with meter_unreachable after maxAttempts when the meter never answers', async () => {
    const { network, send } = makeNetwork({ maxAttempts: 3 });
    network.setReachable(podOf(1), false);
    const outcome = await send(podOf(1), { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'meter_unreachable', attempts: 3 });
    expect(network.meterState(podOf(1))).toMatchObject({ reachable: false, hasChain2: false, commandsProcessed: 0 });
    network.setReachable(podOf(1), true);
    expectDone(await send(podOf(1), { kind: 'connect' }));
  });

  it('picks unreachable meters from the seed: the same meters for the same seed, about the configured fraction', () => {
    const sites = makeSites(10, 100);
    const unreachable = (seed: number) => {
      const network = new FieldNetworkSimulator({
        scheduler: new VirtualScheduler({ startMs: START_MS }),
        meters: sites,
        unreachableRate: 0.1,
        seed,
      });
      return sites.filter((s) => !network.meterState(s.pod)!.reachable).map((s) => s.pod);
    };
    const first = unreachable(5);
    expect(unreachable(5)).toEqual(first);
    expect(unreachable(6)).not.toEqual(first);
    expect(first.length).toBeGreaterThan(60);
    expect(first.length).toBeLessThan(140);
  });
});

describe('FieldNetworkSimulator: concentrator queues', () => {
  it('completes the commands of one concentrator in order, one after the other, while two concentrators work in parallel', async () => {
    const { send } = makeNetwork({ concentrators: 2, metersEach: 3 });
    const finished: string[] = [];
    const track = (label: string, pod: Pod) =>
      send(pod, { kind: 'disconnect' }).then((outcome) => {
        finished.push(label);
        return outcome;
      });
    const [a0, a1, a2, b0, b1, b2] = await Promise.all([
      track('A0', podOf(0)),
      track('A1', podOf(1)),
      track('A2', podOf(2)),
      track('B0', podOf(3)),
      track('B1', podOf(4)),
      track('B2', podOf(5)),
    ]);
    const attempt = attemptTiming({ kind: 'disconnect' }, { bitRate: 4800, latencyMs: 300 });
    const commandMs = attempt.downMs + attempt.upMs;
    const at = (o: CommandOutcome | undefined) => o!.completedAt.getTime() - START_MS;
    // Concentrator A: back to back, no overlap.
    [at(a0), at(a1), at(a2)].forEach((t, i) => expectMs(t, (i + 1) * commandMs));
    // Concentrator B at the same instants: in parallel with A.
    expect([at(b0), at(b1), at(b2)]).toEqual([at(a0), at(a1), at(a2)]);
    expect(finished.filter((l) => l.startsWith('A'))).toEqual(['A0', 'A1', 'A2']);
    expect(finished.filter((l) => l.startsWith('B'))).toEqual(['B0', 'B1', 'B2']);
  });

  it('holds the concentrator through a command’s retries before serving the next one', async () => {
    const { network, send } = makeNetwork({ concentrators: 1, metersEach: 2, maxAttempts: 2, backoffMs: 500 });
    network.setReachable(podOf(0), false);
    const [failing, next] = await Promise.all([
      send(podOf(0), { kind: 'connect' }),
      send(podOf(1), { kind: 'connect' }),
    ]);
    const attempt = attemptTiming({ kind: 'connect' }, { bitRate: 4800, latencyMs: 300 });
    const attemptMs = attempt.downMs + attempt.upMs;
    expect(failing).toMatchObject({ status: 'failed', reason: 'meter_unreachable' });
    expectMs(failing!.completedAt.getTime() - START_MS, 2 * attemptMs + 500);
    expectMs(next!.completedAt.getTime() - START_MS, 3 * attemptMs + 500);
  });

  it('reports the queue depth of each concentrator as commands are served', async () => {
    const scheduler = new VirtualScheduler({ startMs: START_MS, autoAdvance: false });
    const network = new FieldNetworkSimulator({ scheduler, meters: makeSites(2, 3), ...RELIABLE });
    const results = [0, 1, 2].map((i) =>
      network.send({ commandId: `c${i}`, pod: podOf(i), command: { kind: 'connect' } }),
    );
    expect(network.queueDepth('CN000001')).toBe(3);
    expect(network.queueDepth('CN000002')).toBe(0);
    expect(network.concentrators()).toEqual([
      { concentratorId: 'CN000001', meters: 3, queueDepth: 3 },
      { concentratorId: 'CN000002', meters: 3, queueDepth: 0 },
    ]);
    const attempt = attemptTiming({ kind: 'connect' }, { bitRate: 4800, latencyMs: 300 });
    // Half a millisecond past each completion.
    await scheduler.advance(attempt.downMs + attempt.upMs + 0.5);
    expect(network.queueDepth('CN000001')).toBe(2);
    await scheduler.advance(2 * (attempt.downMs + attempt.upMs));
    expect(network.queueDepth('CN000001')).toBe(0);
    expect((await Promise.all(results)).map((o) => o.status)).toEqual(['done', 'done', 'done']);
  });

  it('delivers 1,000 commands across 10 concentrators with no real waiting, correctly and in parallel', async () => {
    const { network, scheduler } = makeNetwork({ concentrators: 10, metersEach: 100 });
    const commands: AddressedCommand[] = Array.from({ length: 1000 }, (_, i) => ({
      commandId: `bulk-${i}`,
      pod: podOf(i),
      command: {
        kind: 'program_chain2',
        macAddress: `DC${String(i).padStart(10, '0')}` as MacAddress,
        encryptionKey: KEY,
      },
    }));
    const outcomes = await Promise.all(commands.map((c) => network.send(c)));
    expect(outcomes.every((o) => o.status === 'done' && o.attempts === 1)).toBe(true);
    for (const c of commands) {
      expect(network.meterState(c.pod)?.macAddress).toBe(
        c.command.kind === 'program_chain2' ? c.command.macAddress : undefined,
      );
    }
    expect(network.counters()).toMatchObject({ sent: 1000, attempts: 1000, done: 1000, failed: 0 });
    // 100 commands per concentrator, concentrators in parallel: 100 command times, not 1,000.
    const attempt = attemptTiming(commands[0]!.command, { bitRate: 4800, latencyMs: 300 });
    expect(scheduler.now() - START_MS).toBeCloseTo(100 * (attempt.downMs + attempt.upMs), 2);
  });

  it('runs on real timers with every delay at zero', async () => {
    const network = new FieldNetworkSimulator({
      meters: makeSites(10, 10),
      latencyMs: 0,
      bitRate: Infinity,
      backoffMs: 0,
      lossRate: 0.3,
      unreachableRate: 0,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        network.send({ commandId: `z${i}`, pod: podOf(i), command: { kind: 'disconnect' } }),
      ),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'done') expect(network.meterState(podOf(i))?.connected).toBe(false);
    }
    expect(outcomes.filter((o) => o.status === 'done').length).toBeGreaterThan(90);
  });

  it('accelerates real timers by timeScale', async () => {
    const network = new FieldNetworkSimulator({ meters: makeSites(1, 1), timeScale: 1000, ...RELIABLE });
    const startedAt = Date.now();
    const outcome = await network.send({ commandId: 'fast', pod: podOf(0), command: { kind: 'connect' } });
    expect(outcome.status).toBe('done');
    // 0.72 s of simulated link time at 1000× is well under a real second.
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });
});

describe('FieldNetworkSimulator: set-up and logging', () => {
  it('skips supply points without a concentrator and refuses a POD registered twice', () => {
    const network = new FieldNetworkSimulator({ scheduler: new VirtualScheduler({ startMs: START_MS }) });
    const [site] = makeSites(1, 1);
    expect(network.registerMeters([site!, { ...site!, pod: podOf(1), concentratorId: null }])).toBe(1);
    expect(network.meterState(podOf(1))).toBeUndefined();
    expect(() => network.registerMeters([site!])).toThrow(/already registered/);
  });

  it('refuses invalid options, naming every problem', () => {
    expect(() => new FieldNetworkSimulator({ lossRate: 2, maxAttempts: 0, timeScale: 0 })).toThrow(
      /lossRate.*maxAttempts.*timeScale/,
    );
  });

  it('logs outcomes with POD and command id but never the DU key', async () => {
    const lines: string[] = [];
    const capture = (fields: object, message: string) => void lines.push(JSON.stringify({ ...fields, message }));
    const logger: Logger = { debug: capture, info: capture, warn: capture, error: capture };
    const { network, send } = makeNetwork({ logger, maxAttempts: 1 });
    network.setReachable(podOf(1), false);
    await send(podOf(0), { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, 'ok');
    await send(podOf(1), { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, 'unreachable');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toContain('meter_unreachable');
    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain(KEY.slice(0, 16));
  });
});
