/**
 * A WebSocket tap on the simulated power line, so a DU emulator in another process can hear the frames addressed to
 * its MAC: `ws://host:port/power-line/<MAC>`, one binary message per sealed frame, server → client only.
 * The server side runs in noServer mode on the HTTP server's `upgrade` event, so it shares a port with other routes.
 */
import type { ClientRequest, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { normaliseMacAddress, type PowerLineMedium } from './power-line-medium.js';
import { closeSocket, rejectUpgrade, requestPath } from './websocket-lifecycle.js';

export const DEFAULT_PATH_PREFIX = '/power-line/';
/** Above this many bytes queued to a slow client, frames for it are dropped (the line is lossy anyway) and counted. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Clients send nothing; anything they send is refused, so keep what ws will buffer from them tiny. */
const MAX_CLIENT_MESSAGE_BYTES = 1_024;
/** WebSocket close code 1003: "unsupported data" (RFC 6455 §7.4.1). */
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_GOING_AWAY = 1001;

export interface PowerLineBridgeOptions {
  /** Path prefix of the tap; the MAC follows it. Must start and end with '/'. Default `/power-line/`. */
  pathPrefix?: string;
}

export interface PowerLineBridge {
  readonly pathPrefix: string;
  readonly clientCount: number;
  /** Frames not sent to a client because too much was already queued for it. */
  readonly droppedFrames: number;
  /** Stops answering upgrades and closes every tap (close code 1001). The HTTP server stays up: it is the caller's. */
  close(): Promise<void>;
}

/**
 * Handles upgrade requests whose path starts with the prefix; others are left to the server's other `upgrade`
 * listeners (when there are none, the caller must answer them, or the socket stays open).
 */
export function attachPowerLineBridge(
  server: Server,
  medium: PowerLineMedium,
  options: PowerLineBridgeOptions = {},
): PowerLineBridge {
  const pathPrefix = options.pathPrefix ?? DEFAULT_PATH_PREFIX;
  if (!pathPrefix.startsWith('/') || !pathPrefix.endsWith('/')) {
    throw new RangeError(`attachPowerLineBridge: pathPrefix must start and end with '/', got "${pathPrefix}"`);
  }
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  let droppedFrames = 0;
  let closed = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = requestPath(request);
    if (path === undefined || !path.startsWith(pathPrefix)) return;
    let mac: string;
    try {
      mac = normaliseMacAddress(decodeURIComponent(path.slice(pathPrefix.length)));
    } catch (error) {
      return rejectUpgrade(socket, 400, `${pathPrefix}<MAC>: ${(error as Error).message}`);
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      clients.add(ws);
      const detach = medium.attach(mac, (frame) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          droppedFrames++;
          return;
        }
        ws.send(frame, { binary: true });
      });
      ws.on('message', () => ws.close(CLOSE_UNSUPPORTED_DATA, 'the power-line tap is receive-only'));
      // A socket error is followed by 'close'; the listener only keeps it from becoming an uncaught exception.
      ws.on('error', () => {});
      ws.on('close', () => {
        detach();
        clients.delete(ws);
      });
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    pathPrefix,
    get clientCount() {
      return clients.size;
    },
    get droppedFrames() {
      return droppedFrames;
    },
    async close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      await Promise.all([...clients].map((ws) => closeSocket(ws, CLOSE_GOING_AWAY, 'power-line bridge closing')));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export interface PowerLineTap {
  /** Resolves when the connection ends, by `close()` or by the server; never rejects. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/**
 * Connects to a bridge (`baseUrl` = `ws://host:port/power-line`, with or without the trailing '/') for one MAC.
 * Resolves once connected; rejects with an error naming the URL and the cause (refused, HTTP status and reason).
 * No reconnection: when the server goes away, `closed` resolves and the caller decides.
 */
export async function connectPowerLine(
  baseUrl: string,
  macAddress: string,
  onFrame: (frame: Uint8Array) => void,
): Promise<PowerLineTap> {
  const url = tapUrl(baseUrl, macAddress);
  const ws = new WebSocket(url, { maxPayload: MAX_FRAME_MESSAGE_BYTES });
  // Listeners first: nothing the server sends right after the handshake can slip past them.
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });
  ws.on('message', (data, isBinary) => {
    // The bridge sends binary frames only; ws hands each one over as a single Buffer (binaryType 'nodebuffer').
    if (isBinary && Buffer.isBuffer(data)) onFrame(data);
  });
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      ws.off('open', onOpen).off('error', onError).off('unexpected-response', onUnexpectedResponse);
      // After the handshake an error is always followed by 'close', which `closed` reports.
      ws.on('error', () => {});
      if (error === undefined) return resolve();
      ws.terminate();
      reject(error);
    };
    const onOpen = (): void => settle();
    const onError = (cause: Error): void =>
      settle(new Error(`power line ${url}: cannot connect (${cause.message})`, { cause }));
    const onUnexpectedResponse = (_request: ClientRequest, response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8').trim();
        settle(
          new Error(`power line ${url}: refused with HTTP ${response.statusCode} (${body || response.statusMessage})`),
        );
      });
      response.on('error', (cause) =>
        settle(new Error(`power line ${url}: refused with HTTP ${response.statusCode}`, { cause })),
      );
    };
    ws.on('open', onOpen).on('error', onError).on('unexpected-response', onUnexpectedResponse);
  });
  return {
    closed,
    async close() {
      await closeSocket(ws, 1000, 'tap closed');
    },
  };
}

/** The largest sealed frame is a few hundred bytes (codec MAX_FRAME_BYTES); 64 KiB leaves room without trusting the peer. */
const MAX_FRAME_MESSAGE_BYTES = 64 * 1_024;

function tapUrl(baseUrl: string, macAddress: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw new RangeError(`connectPowerLine: "${baseUrl}" is not a URL (expected ws://host:port/power-line)`, { cause });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new RangeError(`connectPowerLine: "${baseUrl}" must be a ws:// or wss:// URL`);
  }
  const mac = normaliseMacAddress(macAddress);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${mac}`;
  return url.toString();
}
