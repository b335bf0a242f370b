import type { Pod } from '../../src/domain/identifiers.js';
import type { AddressedCommand, CommandOutcome } from '../../src/domain/meter-command.js';
import type { ConcentratorDayRead } from '../../src/domain/day-file.js';
import type { DailyReadRequest, FieldNetworkView, HeadEnd, NetworkSite } from '../../src/services/ports/index.js';
import type { FieldNetworkSimulator } from './field-network.simulator.js';

/**
 * The head-end of a field-network simulator in this process. The simulator learns each meter from the registry the
 * first time a command is addressed to it (`siteOf`), so that a network of millions of supply points costs nothing
 * until used. Its meters live in this process's memory (a restart forgets what was programmed, until the workflow
 * restores them from the active associations): HEAD_END_URL puts them in a field-network service of their own.
 */
export class SimulatedHeadEnd implements HeadEnd, FieldNetworkView {
  constructor(
    private readonly simulator: FieldNetworkSimulator,
    private readonly siteOf: (pod: Pod) => Promise<NetworkSite | undefined>,
  ) {}

  async send(command: AddressedCommand): Promise<CommandOutcome> {
    return this.simulator.send(
      command,
      this.simulator.hasMeter(command.pod) ? undefined : await this.siteOf(command.pod),
    );
  }

  async dailyRead(request: DailyReadRequest): Promise<ConcentratorDayRead> {
    const unknown = request.pods.filter((pod) => !this.simulator.hasMeter(pod));
    const sites = await Promise.all(unknown.map((pod) => this.siteOf(pod)));
    return this.simulator.dailyRead(
      request,
      sites.filter((site) => site !== undefined),
    );
  }

  async concentrators() {
    return this.simulator.concentrators();
  }

  async counters() {
    return this.simulator.counters();
  }
}
