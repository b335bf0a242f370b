import { randomUUID } from 'node:crypto';
import { createServer, connect as connectTcp, type Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseChain2Json } from '../../src/codec/index.js';
import { DuEmulator } from './du-emulator.js';
import { DuMqttPublisher } from './du-mqtt-publisher.js';
import { KEY, MAC, POD, makeMeter } from './meter-frames.test-support.js';

/** The Mosquitto broker of this machine (and of CI). */
const BROKER_URL = 'mqtt://127.0.0.1:1883';

let prefix: string;
let subscriber: MqttClient;
const publishers: DuMqttPublisher[] = [];
const received: { topic: string; text: string; retain: boolean }[] = [];

beforeEach(async () => {
  prefix = `test/${randomUUID()}`; // a fresh tree per test: no retained message of another run is seen
  received.length = 0;
  subscriber = await mqtt.connectAsync(BROKER_URL, { reconnectPeriod: 0 });
  subscriber.on('message', (topic, payload, packet) =>
    received.push({ topic, text: payload.toString(), retain: packet.retain }),
  );
  await subscriber.subscribeAsync(`${prefix}/#`, { qos: 0 });
});

afterEach(async () => {
  await Promise.all(publishers.splice(0).map((publisher) => publisher.close()));
  // Clear the retained Chain2Info so the broker does not keep test data.
  await subscriber.publishAsync(`${prefix}/du-test/info`, '', { retain: true });
  await subscriber.endAsync();
});

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400 && !predicate(); attempt++) await new Promise((r) => setTimeout(r, 5));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

describe('DuMqttPublisher', () => {
  it('publishes Chain2Info retained and every accepted frame as Chain2Data JSON on the DU topics', async () => {
    const du = new DuEmulator({ id: 'du-test', pod: POD, macAddress: MAC, key: KEY });
    const publisher = await DuMqttPublisher.connect({ url: BROKER_URL, topicPrefix: prefix });
    publishers.push(publisher);
    expect(publisher.topicsOf(du.id)).toEqual({ data: `${prefix}/du-test/data`, info: `${prefix}/du-test/info` });
    publisher.attach(du, '127.0.0.1');
    await until(() => received.length === 1, 'Chain2Info');
    expect(received[0]!.topic).toBe(`${prefix}/du-test/info`);
    expect(JSON.parse(received[0]!.text)).toMatchObject({ Chain2Info: { Id: 'du-test', Ip: '127.0.0.1', Mac: MAC } });

    const sent = makeMeter().advanceTo(new Date('2026-03-01T22:30:00+01:00'));
    for (const { sealed } of sent) du.receive(sealed);
    await until(() => received.length === 1 + sent.length, 'Chain2Data');
    const data = received.slice(1);
    expect(data.every(({ topic }) => topic === `${prefix}/du-test/data`)).toBe(true);
    expect(data.map(({ text }) => parseChain2Json(text).frame)).toEqual(sent.map(({ frame }) => frame));
    expect(publisher.published).toBe(1 + sent.length);

    // A late subscriber still finds the retained Chain2Info.
    const late = await mqtt.connectAsync(BROKER_URL, { reconnectPeriod: 0 });
    try {
      const info = new Promise<{ text: string; retain: boolean }>((resolve) =>
        late.on('message', (_topic, payload, packet) => resolve({ text: payload.toString(), retain: packet.retain })),
      );
      await late.subscribeAsync(`${prefix}/du-test/info`);
      expect(await info).toMatchObject({ retain: true });
    } finally {
      await late.endAsync();
    }
  });

  it('stops publishing a DU once detached', async () => {
    const du = new DuEmulator({ id: 'du-test', pod: POD, macAddress: MAC, key: KEY });
    const publisher = await DuMqttPublisher.connect({ url: BROKER_URL, topicPrefix: prefix });
    publishers.push(publisher);
    const detach = publisher.attach(du, '127.0.0.1');
    detach();
    for (const { sealed } of makeMeter().advanceTo(new Date('2026-03-01T22:30:00+01:00'))) du.receive(sealed);
    await until(() => publisher.published === 1, 'the info publication');
    expect(publisher.published).toBe(1);
  });

  it('rejects a broker it cannot reach with the URL and the cause, without credentials', async () => {
    const startedAt = Date.now();
    await expect(
      DuMqttPublisher.connect({ url: 'mqtt://user:secret@127.0.0.1:1', connectTimeoutMs: 2_000 }),
    ).rejects.toThrow(/^MQTT broker mqtt:\/\/127\.0\.0\.1:1 not reachable: .*ECONNREFUSED/);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('refuses a topic prefix or DU id that would not be a plain topic', async () => {
    await expect(DuMqttPublisher.connect({ url: BROKER_URL, topicPrefix: 'chain2/+' })).rejects.toThrow(
      /without '\+', '#'/,
    );
    const publisher = await DuMqttPublisher.connect({ url: BROKER_URL, topicPrefix: prefix });
    publishers.push(publisher);
    expect(() => publisher.topicsOf('a/b')).toThrow(/cannot be a topic level/);
  });

  it('survives the broker going away: reports it once, drops frames, publishes nothing late', async () => {
    // A TCP relay to the real broker that the test can cut, standing in for a broker restart.
    const sockets = new Set<Socket>();
    const relay = createServer((inbound) => {
      const outbound = connectTcp(1883, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('error', () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const problems: string[] = [];
    const du = new DuEmulator({ id: 'du-test', pod: POD, macAddress: MAC, key: KEY });
    const port = (relay.address() as { port: number }).port;
    const publisher = await DuMqttPublisher.connect({
      url: `mqtt://127.0.0.1:${port}`,
      topicPrefix: prefix,
      reconnectPeriodMs: 50,
      onProblem: (m) => problems.push(m),
    });
    publishers.push(publisher);
    publisher.attach(du, '127.0.0.1');
    try {
      relay.close();
      for (const socket of sockets) socket.destroy();
      await until(() => problems.length > 0, 'a problem report');
      const sent = makeMeter().advanceTo(new Date('2026-03-01T22:30:00+01:00'));
      for (const { sealed } of sent) expect(du.receive(sealed).accepted).toBe(true);
      expect(publisher.dropped).toBe(sent.length);
      await new Promise((r) => setTimeout(r, 500)); // several reconnection attempts, all refused
      expect(problems[0]).toMatch(new RegExp(`^MQTT mqtt://127.0.0.1:${port}: `));
      expect(new Set(problems).size).toBe(problems.length); // each problem once, not once per frame or attempt
    } finally {
      relay.close();
    }
  });
});
