import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachPowerLineBridge, type PowerLineBridge } from './power-line-bridge.js';
import { PowerLineMedium } from './power-line-medium.js';

/** A lossless medium with its bridge on a real HTTP server, as the field-network process hosts it. */
export interface PowerLineServer {
  medium: PowerLineMedium;
  server: Server;
  bridge: PowerLineBridge;
  /** `ws://127.0.0.1:<port>/power-line`, the base DUs tap. */
  url: string;
  /** Closes the bridge and the server; again is harmless. */
  close(): Promise<void>;
}

export async function startPowerLineServer(): Promise<PowerLineServer> {
  const medium = new PowerLineMedium({ lossRate: 0 });
  const server = createServer();
  const bridge = attachPowerLineBridge(server, medium);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;
  return {
    medium,
    server,
    bridge,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/power-line`,
    close() {
      closing ??= (async () => {
        await bridge.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
