/**
 * The local WebSocket of a DU, as Chain 2 gateway integrations consume it (CHAIN2.md §4): a client sends `!`, gets
 * `{"Chain2Info":{…}}`, then every frame the DU accepts as a `{"Chain2Data":{…}}` text message.
 * One class for both layouts: `single` hosts one DU at `/` (like a real device on its own address), `fleet` hosts
 * many at `/du/<MAC>` on one port. Anything else a client sends is answered with an `Error` object (README.md).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { parseMacAddress, type MacAddress } from '../../src/domain/identifiers.js';
import { closeSocket, rejectUpgrade, requestPath } from '../power-line/index.js';
import type { DuEmulator } from './du-emulator.js';

export const DuServerMode = { single: 'single', fleet: 'fleet' } as const;
export type DuServerMode = (typeof DuServerMode)[keyof typeof DuServerMode];

export const FLEET_PATH_PREFIX = '/du/';
/** The one command of the protocol. Surrounding whitespace (a terminal's newline) is tolerated. */
export const INFO_COMMAND = '!';
/** Clients send one character; refuse anything big before ws buffers it. */
const MAX_CLIENT_MESSAGE_BYTES = 1_024;
/** Above this many bytes queued to a slow watcher, frames for it are skipped and counted, not buffered without end. */
const MAX_BUFFERED_BYTES = 1 << 20;
const CLOSE_GOING_AWAY = 1001;

export const DuServerErrorCode = {
  /** A text message other than `!`. */
  unknownCommand: 'unknown_command',
  /** A binary message: the protocol is text only. */
  binaryNotSupported: 'binary_not_supported',
} as const;
export type DuServerErrorCode = (typeof DuServerErrorCode)[keyof typeof DuServerErrorCode];

export interface DuWebSocketServerOptions {
  mode: DuServerMode;
  /** Exactly one in `single` mode; any number with distinct MACs in `fleet` mode (more with `add`). */
  dus: readonly DuEmulator[];
  /** Default 127.0.0.1: an emulator has no business listening on every interface unless asked. */
  host?: string;
  /** 0 = an ephemeral port (read `url` afterwards). Default 0. Real DUs use 81. */
  port?: number;
}

interface HostedDu {
  du: DuEmulator;
  /** Clients that sent `!`: they get every frame. */
  readonly watchers: Set<WebSocket>;
  unsubscribe: () => void;
}

export class DuWebSocketServer {
  readonly mode: DuServerMode;
  readonly #http: Server;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  readonly #hosted = new Map<MacAddress, HostedDu>();
  readonly #clients = new Set<WebSocket>();
  #skippedFrames = 0;
  #closing: Promise<void> | undefined;

  private constructor(mode: DuServerMode, dus: readonly DuEmulator[]) {
    this.mode = mode;
    if (mode !== DuServerMode.single && mode !== DuServerMode.fleet)
      throw new RangeError(`DuWebSocketServer: unknown mode "${String(mode)}"`);
    if (mode === DuServerMode.single && dus.length !== 1) {
      throw new RangeError(`DuWebSocketServer: single mode hosts exactly one DU, got ${dus.length}`);
    }
    for (const du of dus) this.#host(du);
    this.#http = createServer((_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
      response.end(`A Chain 2 DU WebSocket: connect with a WebSocket client to ${this.#pathHint()} and send "!".\n`);
    });
    this.#http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(request, socket, head),
    );
  }

  /** Starts listening; rejects with the address and cause when the port cannot be bound. */
  static async listen(options: DuWebSocketServerOptions): Promise<DuWebSocketServer> {
    const server = new DuWebSocketServer(options.mode, options.dus);
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new RangeError(`DuWebSocketServer: port must be 0-65535, got ${port}`);
    await new Promise<void>((resolve, reject) => {
      const onError = (cause: Error): void => {
        server.#dispose();
        reject(new Error(`DU WebSocket server cannot listen on ${host}:${port} (${cause.message})`, { cause }));
      };
      server.#http.once('error', onError);
      server.#http.listen(port, host, () => {
        server.#http.off('error', onError);
        resolve();
      });
    });
    return server;
  }

  /** Fleet mode: hosts one more DU (one installed while the fleet runs). A MAC already hosted is refused. */
  add(du: DuEmulator): void {
    if (this.mode !== DuServerMode.fleet) throw new RangeError('DuWebSocketServer: only a fleet takes more DUs');
    this.#host(du);
  }

  #host(du: DuEmulator): void {
    if (this.#hosted.has(du.macAddress)) throw new RangeError(`DuWebSocketServer: two DUs with MAC ${du.macAddress}`);
    const hosted: HostedDu = { du, watchers: new Set(), unsubscribe: () => {} };
    // One JSON text per frame, shared by all the DU's watchers.
    hosted.unsubscribe = du.subscribe((message) => this.#broadcast(hosted, JSON.stringify(message)));
    this.#hosted.set(du.macAddress, hosted);
  }

  /** `ws://host:port`, with the port actually bound. */
  get url(): string {
    const address = this.#http.address() as AddressInfo | null;
    if (address === null) throw new Error('DuWebSocketServer: not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}`;
  }

  /** Where to watch one DU: `<url>/` in single mode, `<url>/du/<MAC>` in fleet mode. */
  urlOf(macAddress: string): string {
    const parsed = parseMacAddress(macAddress);
    if (!parsed.ok || !this.#hosted.has(parsed.value))
      throw new RangeError(`DuWebSocketServer: no DU with MAC ${macAddress} here`);
    return this.mode === DuServerMode.single ? `${this.url}/` : `${this.url}${FLEET_PATH_PREFIX}${parsed.value}`;
  }

  /** One row per hosted DU, for printing. */
  endpoints(): { duId: string; macAddress: MacAddress; url: string }[] {
    return [...this.#hosted.values()].map(({ du }) => ({
      duId: du.id,
      macAddress: du.macAddress,
      url: this.urlOf(du.macAddress),
    }));
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Frames not sent to a watcher that had too much queued already. */
  get skippedFrames(): number {
    return this.#skippedFrames;
  }

  /** Closes every client (1001) and the port; the DUs themselves go on. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#dispose();
      await Promise.all([...this.#clients].map((ws) => closeSocket(ws, CLOSE_GOING_AWAY, 'DU emulator stopping')));
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
      if (this.#http.listening) await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    })();
    return this.#closing;
  }

  #dispose(): void {
    for (const hosted of this.#hosted.values()) hosted.unsubscribe();
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) return rejectUpgrade(socket, 503, 'the DU emulator is stopping');
    const hosted = this.#route(requestPath(request));
    if (typeof hosted === 'string') return rejectUpgrade(socket, 404, hosted);
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#onConnection(ws, hosted, request));
  }

  /** The DU a path names, or the reason there is none. */
  #route(path: string | undefined): HostedDu | string {
    if (this.mode === DuServerMode.single) {
      return path === '/'
        ? this.#hosted.values().next().value!
        : `no DU at ${path ?? '(unreadable path)'}: this DU is at /`;
    }
    if (path === undefined || !path.startsWith(FLEET_PATH_PREFIX))
      return `no DU at ${path ?? '(unreadable path)'}: DUs are at ${FLEET_PATH_PREFIX}<MAC>`;
    const mac = parseMacAddress(path.slice(FLEET_PATH_PREFIX.length));
    if (!mac.ok) return `${FLEET_PATH_PREFIX}<MAC>: ${mac.issue.message}`;
    return this.#hosted.get(mac.value) ?? `no DU with MAC ${mac.value} on this server`;
  }

  #onConnection(ws: WebSocket, hosted: HostedDu, request: IncomingMessage): void {
    this.#clients.add(ws);
    // The address the client reached us on is what a real DU reports as its own Ip.
    const ip = (request.socket.localAddress ?? '').replace(/^::ffff:/, '');
    ws.on('message', (data, isBinary) => {
      if (isBinary) return sendError(ws, DuServerErrorCode.binaryNotSupported, 'this WebSocket speaks text: send "!"');
      const text = data.toString().trim();
      if (text !== INFO_COMMAND)
        return sendError(ws, DuServerErrorCode.unknownCommand, 'the only command is "!" (Chain2Info, then Chain2Data)');
      ws.send(JSON.stringify(hosted.du.info(ip)));
      hosted.watchers.add(ws);
    });
    ws.on('error', () => {}); // always followed by 'close'
    ws.on('close', () => {
      hosted.watchers.delete(ws);
      this.#clients.delete(ws);
    });
  }

  #broadcast(hosted: HostedDu, text: string): void {
    for (const ws of hosted.watchers) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.#skippedFrames++;
        continue;
      }
      ws.send(text);
    }
  }

  #pathHint(): string {
    return this.mode === DuServerMode.single ? '/' : `${FLEET_PATH_PREFIX}<MAC>`;
  }
}

function sendError(ws: WebSocket, code: DuServerErrorCode, message: string): void {
  ws.send(JSON.stringify({ Error: { Code: code, Message: message } }));
}
