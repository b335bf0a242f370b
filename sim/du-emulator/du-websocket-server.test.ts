import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseChain2Json } from '../../src/codec/index.js';
import { connectPowerLine, type PowerLineMedium, type PowerLineTap } from '../power-line/index.js';
import { startPowerLineServer, type PowerLineServer } from '../power-line/power-line-server.test-support.js';
import { DuEmulator } from './du-emulator.js';
import { DuWebSocketServer } from './du-websocket-server.js';
import { KEY, MAC, OTHER_KEY, OTHER_MAC, OTHER_POD, POD, makeMeter } from './meter-frames.test-support.js';
import { WatchClient } from './watch-client.test-support.js';

/** The field side: a medium with a bridge on a real HTTP server, as the field-network process would host it. */
let medium: PowerLineMedium;
let line: PowerLineServer;
let mediumUrl: string;
const taps: PowerLineTap[] = [];
const servers: DuWebSocketServer[] = [];
const clients: WatchClient[] = [];

beforeEach(async () => {
  line = await startPowerLineServer();
  ({ medium, url: mediumUrl } = line);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(taps.splice(0).map((tap) => tap.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await line.close();
});

function makeDu(macAddress = MAC, pod = POD, id = `du-${macAddress}`): DuEmulator {
  return new DuEmulator({ id, pod, macAddress, key: KEY });
}

/** A DU in "another process": it hears the medium only through the bridge socket. */
async function tapDu(du: DuEmulator): Promise<void> {
  taps.push(await connectPowerLine(mediumUrl, du.macAddress, (frame) => du.receive(frame)));
  for (let attempt = 0; attempt < 200 && medium.listenerCount(du.macAddress) === 0; attempt++)
    await new Promise((r) => setTimeout(r, 5));
}

async function serve(options: Parameters<typeof DuWebSocketServer.listen>[0]): Promise<DuWebSocketServer> {
  const server = await DuWebSocketServer.listen(options);
  servers.push(server);
  return server;
}

async function watch(url: string): Promise<WatchClient> {
  const client = await WatchClient.connect(url);
  clients.push(client);
  return client;
}

type Message = Record<string, Record<string, unknown>>;

describe('DuWebSocketServer: single DU at /', () => {
  it('answers "!" with Chain2Info, then streams Chain2Data for real meter frames sent over the power line', async () => {
    const du = makeDu();
    await tapDu(du);
    const server = await serve({ mode: 'single', dus: [du] });
    expect(server.urlOf(MAC)).toBe(`${server.url}/`);
    const client = await watch(server.urlOf(MAC));
    client.send('!');
    const info = (await client.next()) as Message;
    expect(info).toEqual({
      Chain2Info: {
        Id: `du-${MAC}`,
        Ip: '127.0.0.1',
        Mac: MAC,
        Pod: 'IT001E****5678',
        ProgId: 'chain2-du-emulator',
        FwVersion: 'emulator',
        CFcountFromBoot: 0,
      },
    });

    const sent = makeMeter().advanceTo(new Date('2026-03-01T23:00:00+01:00'));
    for (const { sealed } of sent) expect(medium.transmit(MAC, sealed)).toBe(true);
    for (const { frame } of sent) {
      const message = await client.next();
      const envelope = parseChain2Json(JSON.stringify(message));
      expect(envelope.duId).toBe(`du-${MAC}`);
      expect(envelope.frame).toEqual(frame);
    }
    expect(du.framesReceivedOn('2026-03-01', 'CF1')).toBe(4);
  });

  it('counts a frame sealed under another key as rejected and does not forward it', async () => {
    const du = makeDu();
    await tapDu(du);
    const server = await serve({ mode: 'single', dus: [du] });
    const client = await watch(server.urlOf(MAC));
    client.send('!');
    await client.next();
    const [forged] = makeMeter({ key: OTHER_KEY, meterSerial: 'FORGER' }).advanceTo(
      new Date('2026-03-01T22:15:00+01:00'),
    );
    const [genuine] = makeMeter().advanceTo(new Date('2026-03-01T22:15:00+01:00'));
    medium.transmit(MAC, forged!.sealed);
    medium.transmit(MAC, genuine!.sealed);
    // The next message is the genuine frame: the forged one, sent first, never reached the socket.
    expect(parseChain2Json(JSON.stringify(await client.next())).frame).toEqual(genuine!.frame);
    expect(du.rejections()).toEqual({ authentication_failed: 1 });
    expect(du.framesAccepted).toBe(1);
  });

  it('sends nothing before "!", answers other messages with an Error object, and "!" again with Chain2Info', async () => {
    const du = makeDu();
    const server = await serve({ mode: 'single', dus: [du] });
    const client = await watch(`${server.url}/`);
    const [early] = makeMeter().advanceTo(new Date('2026-03-01T22:15:00+01:00'));
    du.receive(early!.sealed);
    client.send('hello');
    expect(await client.next()).toEqual({
      Error: { Code: 'unknown_command', Message: 'the only command is "!" (Chain2Info, then Chain2Data)' },
    });
    client.send(Buffer.of(0x21));
    expect(await client.next()).toEqual({
      Error: { Code: 'binary_not_supported', Message: 'this WebSocket speaks text: send "!"' },
    });
    client.send('!\n');
    expect(((await client.next()) as Message).Chain2Info!.CFcountFromBoot).toBe(1);
    client.send('!');
    expect(((await client.next()) as Message).Chain2Info!.Id).toBe(`du-${MAC}`);
    expect(client.pending).toBe(0); // the frame received before "!" was not replayed
  });

  it('refuses other paths with 404, and answers plain HTTP with 426', async () => {
    const server = await serve({ mode: 'single', dus: [makeDu()] });
    expect(await upgradeStatus(`${server.url}/du/${MAC}`)).toEqual({
      status: 404,
      body: `no DU at /du/${MAC}: this DU is at /\n`,
    });
    const response = await fetch(server.url.replace('ws:', 'http:'));
    expect(response.status).toBe(426);
    expect(await response.text()).toMatch(/send "!"/);
  });

  it('reports an occupied port naming the address', async () => {
    const first = await serve({ mode: 'single', dus: [makeDu()] });
    const port = Number(new URL(first.url).port);
    await expect(DuWebSocketServer.listen({ mode: 'single', dus: [makeDu()], port })).rejects.toThrow(
      new RegExp(`cannot listen on 127.0.0.1:${port} \\(.*EADDRINUSE`),
    );
  });

  it('refuses a layout it cannot serve', async () => {
    await expect(DuWebSocketServer.listen({ mode: 'single', dus: [makeDu(), makeDu(OTHER_MAC)] })).rejects.toThrow(
      /exactly one DU, got 2/,
    );
    await expect(DuWebSocketServer.listen({ mode: 'fleet', dus: [makeDu(), makeDu()] })).rejects.toThrow(
      `two DUs with MAC ${MAC}`,
    );
  });

  it('closes its clients with 1001 when it stops', async () => {
    const server = await serve({ mode: 'single', dus: [makeDu()] });
    const client = await watch(`${server.url}/`);
    const closed = client.closedByServer();
    await server.close();
    expect(await closed).toBe(1001);
  });
});

describe('DuWebSocketServer: fleet at /du/<MAC>', () => {
  it("routes each DU's frames to the clients of its MAC only", async () => {
    const first = makeDu(MAC, POD);
    const second = makeDu(OTHER_MAC, OTHER_POD);
    await tapDu(first);
    await tapDu(second);
    const server = await serve({ mode: 'fleet', dus: [first, second] });
    expect(server.endpoints()).toEqual([
      { duId: `du-${MAC}`, macAddress: MAC, url: `${server.url}/du/${MAC}` },
      { duId: `du-${OTHER_MAC}`, macAddress: OTHER_MAC, url: `${server.url}/du/${OTHER_MAC}` },
    ]);
    const firstClient = await watch(`${server.url}/du/dc:0a:1b:2c:3d:4e`);
    const secondClient = await watch(server.urlOf(OTHER_MAC));
    for (const client of [firstClient, secondClient]) client.send('!');
    expect(((await firstClient.next()) as Message).Chain2Info!.Mac).toBe(MAC);
    expect(((await secondClient.next()) as Message).Chain2Info!.Mac).toBe(OTHER_MAC);

    const firstFrames = makeMeter({ pod: POD }).advanceTo(new Date('2026-03-01T22:30:00+01:00'));
    const secondFrames = makeMeter({ pod: OTHER_POD, meterSerial: '21E4E5KA101249999' }).advanceTo(
      new Date('2026-03-01T22:30:00+01:00'),
    );
    for (const { sealed } of secondFrames) medium.transmit(OTHER_MAC, sealed);
    for (const { sealed } of firstFrames) medium.transmit(MAC, sealed);
    for (const { frame } of firstFrames) {
      const message = (await firstClient.next()) as Message;
      expect(message.Chain2Data!.Id).toBe(`du-${MAC}`);
      expect(parseChain2Json(JSON.stringify(message)).frame).toEqual(frame);
    }
    for (const { frame } of secondFrames) {
      const message = (await secondClient.next()) as Message;
      expect(message.Chain2Data!.Id).toBe(`du-${OTHER_MAC}`);
      expect(parseChain2Json(JSON.stringify(message)).frame).toEqual(frame);
    }
    expect([firstClient.pending, secondClient.pending]).toEqual([0, 0]);
  });

  it('refuses an unknown MAC, a malformed one and the root path, each with its reason', async () => {
    const server = await serve({ mode: 'fleet', dus: [makeDu()] });
    expect(await upgradeStatus(`${server.url}/du/${OTHER_MAC}`)).toEqual({
      status: 404,
      body: `no DU with MAC ${OTHER_MAC} on this server\n`,
    });
    expect((await upgradeStatus(`${server.url}/du/xyz`)).body).toMatch(/12 hex digits starting with DC/);
    expect((await upgradeStatus(`${server.url}/`)).body).toBe('no DU at /: DUs are at /du/<MAC>\n');
    expect(() => server.urlOf(OTHER_MAC)).toThrow(`no DU with MAC ${OTHER_MAC} here`);
  });
});

/** Status and body of a refused WebSocket handshake. */
function upgradeStatus(url: string): Promise<{ status: number | undefined; body: string }> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`${url} was accepted`));
    });
    ws.once('unexpected-response', (request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode, body });
      });
    });
  });
}
