import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Server } from 'node:http';
import { connectPowerLine, type PowerLineBridge, type PowerLineTap } from './power-line-bridge.js';
import type { PowerLineMedium } from './power-line-medium.js';
import { startPowerLineServer, type PowerLineServer } from './power-line-server.test-support.js';

const MAC = 'DC0A1B2C3D4E';

let line: PowerLineServer;
let medium: PowerLineMedium;
let bridge: PowerLineBridge;
let server: Server;
let baseUrl: string;
const taps: PowerLineTap[] = [];
const sockets: WebSocket[] = [];

beforeEach(async () => {
  line = await startPowerLineServer();
  ({ medium, bridge, server, url: baseUrl } = line);
});

afterEach(async () => {
  await Promise.all(taps.splice(0).map((tap) => tap.close()));
  for (const ws of sockets.splice(0)) ws.terminate();
  await line.close();
});

/** Waits until the medium has `count` listeners for the MAC: the bridge attaches once the handshake is done. */
async function untilListening(mac: string, count = 1): Promise<void> {
  for (let attempt = 0; attempt < 200 && medium.listenerCount(mac) !== count; attempt++)
    await new Promise((r) => setTimeout(r, 5));
  expect(medium.listenerCount(mac)).toBe(count);
}

function rawSocket(url: string): WebSocket {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  sockets.push(ws);
  return ws;
}

describe('power-line bridge', () => {
  it('carries each sealed frame across a real socket, byte for byte, in order', async () => {
    const received: Buffer[] = [];
    let arrived: () => void = () => {};
    const allArrived = new Promise<void>((resolve) => (arrived = resolve));
    const onFrame = (frame: Uint8Array): void => {
      received.push(Buffer.from(frame));
      if (received.length === 3) arrived();
    };
    taps.push(await connectPowerLine(`${baseUrl}/`, 'dc:0a:1b:2c:3d:4e', onFrame));
    await untilListening(MAC);
    const frames = [Buffer.from('c20101', 'hex'), Buffer.alloc(300, 0xab), Buffer.from([0xc2, 0x01, 0x00, 0xff])];
    for (const frame of frames) expect(medium.transmit(MAC, frame)).toBe(true);
    await allArrived;
    expect(received).toEqual(frames);
    expect(bridge.clientCount).toBe(1);
  });

  it('carries only the frames of its own MAC', async () => {
    const received: number[] = [];
    taps.push(await connectPowerLine(baseUrl, MAC, (frame) => received.push(frame[0]!)));
    taps.push(await connectPowerLine(baseUrl, 'DC0000000001', () => {}));
    await untilListening(MAC);
    medium.transmit('DC0000000001', Uint8Array.of(1));
    medium.transmit(MAC, Uint8Array.of(2));
    for (let attempt = 0; attempt < 200 && received.length === 0; attempt++) await new Promise((r) => setTimeout(r, 5));
    expect(received).toEqual([2]);
  });

  it('refuses a path that is not a DU MAC with HTTP 400 naming the rule', async () => {
    const ws = rawSocket(`${baseUrl}/not-a-mac`);
    const status = await new Promise<{ code: number | undefined; body: string }>((resolve) => {
      ws.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ code: response.statusCode, body }));
      });
    });
    expect(status.code).toBe(400);
    expect(status.body).toMatch(/12 hex digits starting with DC/);
  });

  it('rejects a connection to nothing with an error naming the URL', async () => {
    await line.close();
    await expect(connectPowerLine(baseUrl, MAC, () => {})).rejects.toThrow(
      new RegExp(`power line ${baseUrl}/${MAC}: cannot connect`),
    );
  });

  it('refuses a bad base URL or MAC before connecting', async () => {
    await expect(connectPowerLine('http://127.0.0.1:1/power-line', MAC, () => {})).rejects.toThrow(
      /must be a ws:\/\/ or wss:\/\/ URL/,
    );
    await expect(connectPowerLine(baseUrl, 'DC12', () => {})).rejects.toThrow(/12 hex digits starting with DC/);
  });

  it('shares the HTTP server with other WebSocket routes', async () => {
    const other = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => ws.send('hello'));
    });
    const ws = rawSocket(baseUrl.replace('/power-line', '/other'));
    const text = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
    expect(text).toBe('hello');
    taps.push(await connectPowerLine(baseUrl, MAC, () => {}));
    await untilListening(MAC);
    other.close();
  });

  it('closes a tap that sends anything (receive-only) with code 1003', async () => {
    const ws = rawSocket(`${baseUrl}/${MAC}`);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('hello');
    expect(await closed).toBe(1003);
    await untilListening(MAC, 0);
  });

  it('tells the tap when the bridge goes away, and detaches from the medium', async () => {
    const tap = await connectPowerLine(baseUrl, MAC, () => {});
    taps.push(tap);
    await untilListening(MAC);
    await bridge.close();
    expect(await tap.closed).toEqual({ code: 1001, reason: 'power-line bridge closing' });
    expect(medium.listenerCount(MAC)).toBe(0);
  });
});
