import { DuEmulator, DuServerMode, DuWebSocketServer } from '../du-emulator/index.js';
import { FieldNetworkSimulator } from '../field-network/field-network.simulator.js';
import { POWER_LINE_PATH, startChain2PowerLine } from '../field-network/chain2-power-line.js';
import type { MeterFleet } from '../meter-fleet/meter-fleet.js';
import type { PowerLineMedium } from '../power-line/index.js';
import { addDays, romeDay, romeMidnight } from '../../src/domain/kpi.js';
import { romeLocalParts } from '../../src/domain/tariff-bands.js';
import type { Platform } from '../../src/main/platform.js';
import type { DemoChain2 } from '../../src/main/simulators.js';

export interface Chain2Field extends DemoChain2 {
  medium: PowerLineMedium;
  fleet: MeterFleet;
  /** The emulated DUs' WebSocket server (fleet mode: `ws://host:port/du/<MAC>`). */
  dus: DuWebSocketServer;
  /** One emulated DU per programmed meter: where to watch it. */
  endpoints(): { pod: string; macAddress: string; ws: string }[];
  /** When each DU was installed: its meter found programmed, on the meters' (simulated) clock. */
  installedAt(): { pod: string; at: Date }[];
  /** One step now (tests; the timer does it every `stepMs`). */
  step(): void;
  /** The demo's asset providers reporting their DUs' daily counts. */
  reporter: DemoParticipants;
  close(): Promise<void>;
}

/**
 * Chain 2 for the demo, over the in-process field network: every meter holding a Chain 2 configuration emits its
 * frames on the simulated power line (loss `lossRate`), and for each such meter an emulated DU — installed with the
 * key its meter was programmed with — opens them and serves them on its WebSocket. DU makers' own emulators tap the
 * same power line at `ws://<api host:port>/power-line/<MAC>` (`chain2 du --medium …`).
 */
export async function startChain2Field(
  platform: Platform,
  options: {
    host: string;
    duPort: number;
    lossRate: number;
    seed: number;
    stepMs?: number;
  },
): Promise<Chain2Field> {
  const network = platform.fieldNetwork;
  if (!(network instanceof FieldNetworkSimulator))
    throw new Error('the Chain 2 demo needs the in-process field network (HEAD_END_URL unset)');
  const dus = await DuWebSocketServer.listen({
    mode: DuServerMode.fleet,
    dus: [],
    host: options.host,
    port: options.duPort,
  });
  const installed = new Map<string, DuEmulator>(); // by MAC
  const installedAt = new WeakMap<DuEmulator, number>(); // simulated ms

  /** A DU for every programmed meter, given the meter's key, and the new key whenever the meter gets one. */
  const install = ({ pod, macAddress, key }: { pod: string; macAddress: string; key: string }) => {
    const known = installed.get(macAddress);
    // The asset provider gives its DU the new key along with the meter (a DU that kept the old one would refuse every frame).
    if (known) return known.changeKey(key);
    // The DU's clock (its envelopes' Ts) follows the simulated time, as a real DU's follows the real one.
    const du = new DuEmulator({ id: macAddress, pod, macAddress, key, now: () => new Date(network.now()) });
    installedAt.set(du, network.now());
    line.medium.attach(macAddress, (frame) => du.receive(frame));
    dus.add(du);
    installed.set(macAddress, du);
  };
  const reporter = demoParticipants(platform, () =>
    [...installed.values()].map((du) => ({ du, since: new Date(installedAt.get(du)!) })),
  );
  const line = startChain2PowerLine(network, platform.app.server, {
    lossRate: options.lossRate,
    seed: options.seed,
    ...(options.stepMs !== undefined && { stepMs: options.stepMs }),
    onProgrammed: install,
    onStep: () => void reporter.tick(new Date(network.now())),
  });
  line.step();

  return {
    powerLinePath: POWER_LINE_PATH,
    medium: line.medium,
    fleet: line.fleet,
    dus,
    step: line.step,
    reporter,
    endpoints: () =>
      [...installed.values()].map((du) => ({ pod: du.pod, macAddress: du.macAddress, ws: dus.urlOf(du.macAddress) })),
    installedAt: () => [...installed.values()].map((du) => ({ pod: du.pod, at: new Date(installedAt.get(du)!) })),
    async close() {
      await line.close();
      await dus.close();
    },
  };
}

/** The hour (simulated, Rome) at which the demo's asset providers report the day before: after its CF5 (≈ 00:55). */
export const DEMO_REPORT_HOUR = 1;

export interface DemoParticipants {
  /** Reports the day before `now` once it is past DEMO_REPORT_HOUR, if not done yet; resolves when reported. */
  tick(now: Date): Promise<void>;
  reportedDays(): string[];
}

/**
 * A simulated participant job: each night every demo asset provider reports, per supply point of its active
 * associations, the frames its emulated DU received the day before (counted on the meter's timestamps), as a real
 * asset provider's back office would through POST /api/v1/kpi/reports.
 */
export function demoParticipants(platform: Platform, dus: () => { du: DuEmulator; since: Date }[]): DemoParticipants {
  const reported = new Set<string>();
  let running: Promise<void> | undefined;
  const report = async (day: string) => {
    // A DU reports the days it was there for: not the day before it was installed.
    const end = romeMidnight(addDays(day, 1));
    const byPod = new Map(
      dus()
        .filter(({ since }) => since < end)
        .map(({ du }) => [du.pod, du]),
    );
    for (const provider of await platform.storage.onboarding.list()) {
      const associations = await platform.storage.associations.list({
        assetProviderId: provider.assetProviderId,
        status: 'active',
        limit: 100_000,
      });
      const reports = associations.flatMap((a) => {
        const du = byPod.get(a.pod);
        return du ? [{ position: {}, fields: { pod: a.pod, day, received: du.framesReceivedOn(day) } }] : [];
      });
      if (reports.length > 0)
        await platform.services.kpi.submit({ kind: 'asset_provider', id: provider.assetProviderId }, reports);
    }
    reported.add(day);
  };
  return {
    tick(now) {
      const day = addDays(romeDay(now), -1);
      if (running || reported.has(day) || romeLocalParts(now).hour < DEMO_REPORT_HOUR)
        return running ?? Promise.resolve();
      running = report(day)
        .catch((error) => platform.app.log.warn({ err: error, day }, 'demo participants could not report'))
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    reportedDays: () => [...reported].sort(),
  };
}
