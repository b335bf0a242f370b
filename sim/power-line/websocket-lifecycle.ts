/**
 * The edges of a WebSocket's life shared by the power-line bridge and the DU emulator's server: reading the path of
 * an upgrade request, refusing an upgrade with a plain HTTP answer, and closing a socket without hanging on a peer
 * that never answers the close handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';

/** The path of an upgrade request, or undefined when its target cannot be parsed. */
export function requestPath(request: IncomingMessage): string | undefined {
  try {
    return new URL(request.url ?? '/', 'http://upgrade.invalid').pathname;
  } catch {
    return undefined;
  }
}

const REASONS = { 400: 'Bad Request', 404: 'Not Found', 503: 'Service Unavailable' } as const;

/** Answers an upgrade request with an HTTP error and a one-line text body naming the problem, then ends the socket. */
export function rejectUpgrade(socket: Duplex, status: keyof typeof REASONS, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** How long a peer has to answer our close frame before its socket is cut. */
const CLOSE_HANDSHAKE_MS = 1_000;

/** Closes with `code` and waits for the 'close' event; a peer that does not answer in time is cut off. */
export function closeSocket(ws: WebSocket, code: number, reason: string): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
  });
}
