/**
 * What the composition root and the CLI need of the simulators. The simulated field network, its meters, the power
 * line and the emulated DUs live in `sim/` (they play the field and the customers' devices, not the platform), and
 * `src/` imports nothing of `sim/`: the entry point (`bin/chain2.js`, the tests' support) hands an implementation
 * of this port to `runCli` / `createPlatform` (`sim/index.ts`).
 */
import type { Config } from '../config.js';
import type { DuKey, MacAddress, Pod } from '../domain/identifiers.js';
import type {
  FieldMeterState,
  FieldNetworkCounters,
  FieldNetworkView,
  HeadEnd,
  Logger,
  NetworkSite,
} from '../services/ports/index.js';
import type { Platform } from './platform.js';

/** A field network simulated in this process (no HEAD_END_URL): the demo's and the tests'. */
export interface InProcessFieldNetwork {
  /** The head-end over it; a meter the network does not know is learnt from the registry (`siteOf`) when first addressed. */
  headEnd(siteOf: (pod: Pod) => Promise<NetworkSite | undefined>): HeadEnd & FieldNetworkView;
  /** The meters' clock: simulated ms since the epoch (runs `SIMULATOR_TIME_SCALE` times faster than the wall clock). */
  now(): number;
  registerMeters(sites: Iterable<NetworkSite>): number;
  meterState(pod: Pod): FieldMeterState | undefined;
  /** Cuts a meter off the network (no route) or brings it back. */
  setReachable(pod: Pod, reachable: boolean): void;
  /** SECRET: the DU key the meter was programmed with (tests of the workflow only; never logged or returned). */
  chain2KeyOf(pod: Pod): DuKey | undefined;
  /** Starts a meter as holding a Chain 2 configuration without Chain 1 traffic (a restart restores its meters). */
  restoreChain2(site: NetworkSite, macAddress: MacAddress, key: DuKey): void;
  counters(): FieldNetworkCounters;
}

/** The demo's Chain 2 over the in-process field network: meters emitting on the power line, emulated DUs receiving. */
export interface DemoChain2 {
  /** One emulated DU per programmed meter: where to watch it. */
  endpoints(): { pod: string; macAddress: string; ws: string }[];
  /** Where other processes tap the power line: `ws://<api host:port><powerLinePath><MAC>`. */
  powerLinePath: string;
  close(): Promise<void>;
}

/** `chain2 du`: a running emulated DU ends with `done` (its exit code) after `close()`; one that did not start says why. */
export type DuCommandResult =
  { running: true; close(): Promise<void>; done: Promise<number> } | { running: false; exitCode: number };

export interface Simulators {
  /** A field network in this process, with the configured simulator settings. */
  fieldNetwork(settings: Config['simulator'], logger: Logger): InProcessFieldNetwork;
  /** `chain2 field-network`: the field network as a service of its own, until SIGINT or SIGTERM; the exit code. */
  fieldNetworkService(config: Config): Promise<number>;
  /** The demo's Chain 2 (needs the in-process field network). */
  startDemoChain2(
    platform: Platform,
    options: { host: string; duPort: number; lossRate: number; seed: number },
  ): Promise<DemoChain2>;
  /** `chain2 du`: an emulated DU (or a fleet) on the simulated power line. */
  du: {
    usage: string;
    run(
      args: string[],
      io: {
        stdout: { write(text: string): unknown };
        stderr: { write(text: string): unknown };
        env: Record<string, string>;
      },
    ): Promise<DuCommandResult>;
  };
}
