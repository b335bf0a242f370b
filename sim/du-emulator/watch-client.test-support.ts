/** Test support: a real `ws` client that queues what it receives, so a test can await the next message in order. */
import WebSocket from 'ws';

export class WatchClient {
  readonly #ws: WebSocket;
  readonly #queue: string[] = [];
  readonly #waiting: ((text: string) => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const text = data.toString();
      const waiter = this.#waiting.shift();
      if (waiter) waiter(text);
      else this.#queue.push(text);
    });
  }

  static async connect(url: string): Promise<WatchClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    return new WatchClient(ws);
  }

  send(data: string | Buffer): void {
    this.#ws.send(data);
  }

  /** The next message as parsed JSON; fails after `timeoutMs`. */
  next(timeoutMs = 2_000): Promise<unknown> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (text: string): void => {
        clearTimeout(timer);
        resolve(JSON.parse(text));
      };
      this.#waiting.push(waiter);
    });
  }

  /** Messages received and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves with the close code when the server closes the connection. */
  closedByServer(): Promise<number> {
    return new Promise((resolve) => this.#ws.once('close', (code) => resolve(code)));
  }

  close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#ws.once('close', () => resolve());
      this.#ws.close();
    });
  }
}

/** Waits a few event-loop turns with real I/O, for "nothing more arrives" checks. */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
