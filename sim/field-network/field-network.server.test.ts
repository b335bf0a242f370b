import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/domain/identifiers.js';
import { FieldNetworkClient } from '../../src/telemanagement/field-network.client.js';
import { startFieldNetworkServer, type FieldNetworkServer } from './field-network.server.js';
import { FieldNetworkSimulator } from './field-network.simulator.js';
import { VirtualScheduler } from './scheduler.js';

const site = {
  pod: 'IT001E10000001' as Pod,
  meterSerial: '21E4E5KA101249263',
  concentratorId: 'CN000001',
  contractPowerW: 3000,
};
const KEY = '0123456789ABCDEF0123456789ABCDEF';

describe('field-network service', () => {
  let server: FieldNetworkServer;
  const logged: string[] = [];
  beforeAll(async () => {
    server = await startFieldNetworkServer({
      host: '127.0.0.1',
      port: 0,
      network: () =>
        new FieldNetworkSimulator({
          scheduler: new VirtualScheduler({ startMs: Date.UTC(2026, 0, 12, 8) }),
          lossRate: 0,
          unreachableRate: 0,
          logger: {
            debug: (f) => logged.push(JSON.stringify(f)),
            info: (f) => logged.push(JSON.stringify(f)),
            warn: (f) => logged.push(JSON.stringify(f)),
            error: (f) => logged.push(JSON.stringify(f)),
          },
        }),
    });
  });
  afterAll(() => server.close());

  it('programs a meter learnt from its site, shows its state without the key, and never logs the key', async () => {
    const client = new FieldNetworkClient(server.url, async () => site);
    const outcome = await client.send({
      commandId: 'c-1',
      pod: site.pod,
      command: { kind: 'program_chain2', macAddress: 'DC0A1B2C3D4E' as never, encryptionKey: KEY as never },
    });
    expect(outcome).toMatchObject({ status: 'done', attempts: 1 });
    expect(outcome.completedAt).toBeInstanceOf(Date);
    const state = await client.meterState(site.pod);
    expect(state).toMatchObject({
      hasChain2: true,
      macAddress: 'DC0A1B2C3D4E',
      keyLast4: 'CDEF',
      concentratorId: 'CN000001',
      reachable: true,
    });
    expect(JSON.stringify(state)).not.toContain(KEY);
    expect(logged.join('\n')).not.toContain(KEY);
    expect(await client.concentrators()).toEqual([{ concentratorId: 'CN000001', meters: 1, queueDepth: 0 }]);
    expect((await client.counters()).done).toBe(1);
  });

  it('refuses a malformed command with 400 invalid_command naming the field, and answers 404 for an unknown meter', async () => {
    const response = await fetch(`${server.url}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        commandId: 'c-2',
        pod: site.pod,
        command: { kind: 'set_available_power', availablePowerW: 'lots' },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_command');
    expect(body.message).toMatch(/command/);
    expect((await fetch(`${server.url}/meters/IT001E99999999`)).status).toBe(404);
    expect(
      await new FieldNetworkClient(server.url, async () => undefined).meterState('IT001E99999999' as Pod),
    ).toBeUndefined();
  });

  it('cuts a meter off and brings it back through the operator route', async () => {
    const put = (reachable: boolean) =>
      fetch(`${server.url}/meters/${site.pod}/reachable`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reachable }),
      });
    expect((await put(false)).status).toBe(204);
    const client = new FieldNetworkClient(server.url, async () => site);
    expect(await client.send({ commandId: 'c-3', pod: site.pod, command: { kind: 'connect' } })).toMatchObject({
      status: 'failed',
      reason: 'meter_unreachable',
    });
    expect((await put(true)).status).toBe(204);
    expect(await client.send({ commandId: 'c-4', pod: site.pod, command: { kind: 'connect' } })).toMatchObject({
      status: 'done',
    });
  });

  it('makes the client reject, naming the field network, when nothing listens (the job is retried)', async () => {
    const client = new FieldNetworkClient('http://127.0.0.1:1', async () => site);
    await expect(client.send({ commandId: 'c-5', pod: site.pod, command: { kind: 'connect' } })).rejects.toThrow(
      /field network at http:\/\/127\.0\.0\.1:1 unreachable/,
    );
  });
});
