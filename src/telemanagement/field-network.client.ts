import type { Pod } from '../domain/identifiers.js';
import type { AddressedCommand, CommandOutcome } from '../domain/meter-command.js';
import { dayFileIssues, type ConcentratorDayRead } from '../domain/day-file.js';
import type {
  DailyReadRequest,
  FieldMeterState,
  FieldNetworkCounters,
  FieldNetworkView,
  HeadEnd,
  NetworkSite,
} from '../services/ports/index.js';

/**
 * The head-end side of a field network served by `startFieldNetworkServer` in another process (`chain2
 * field-network`). Every command carries its meter's site from the registry, so the network learns a meter the
 * first time it is addressed. Field failures come back as `failed` outcomes; a field network that cannot be
 * reached (or answers 5xx) rejects, and the job that sent the command is retried.
 */
export class FieldNetworkClient implements HeadEnd, FieldNetworkView {
  readonly #base: string;

  constructor(
    baseUrl: string,
    private readonly siteOf: (pod: Pod) => Promise<NetworkSite | undefined>,
    /** A command not answered in this time rejects (its job is retried; the meter ignores the repeat). */
    private readonly timeoutMs = 10 * 60_000,
  ) {
    this.#base = baseUrl.replace(/\/+$/, '');
  }

  async send(addressed: AddressedCommand): Promise<CommandOutcome> {
    const site = await this.siteOf(addressed.pod);
    const outcome = await this.#json<CommandOutcome & { completedAt: string }>('POST', '/commands', {
      ...addressed,
      ...(site && { site }),
    });
    return reviveOutcome(outcome);
  }

  /** Every meter's registry site goes with the read, so the network learns the meters it has not met yet. */
  async dailyRead(request: DailyReadRequest): Promise<ConcentratorDayRead> {
    const sites = (await Promise.all(request.pods.map((pod) => this.siteOf(pod)))).filter((site) => site !== undefined);
    const read = await this.#json<ConcentratorDayRead>('POST', '/daily-reads', { ...request, sites });
    const damaged = read.files.flatMap((file) =>
      dayFileIssues(file).map((issue) => `${file.pod} ${file.day}: ${issue}`),
    );
    if (damaged.length > 0) throw new Error(`field network sent damaged day files: ${damaged.slice(0, 5).join('; ')}`);
    return read;
  }

  async meterState(pod: Pod): Promise<FieldMeterState | undefined> {
    const response = await fetch(`${this.#base}/meters/${encodeURIComponent(pod)}`);
    if (response.status === 404) return undefined;
    return this.#read<FieldMeterState>(response, 'GET', '/meters');
  }

  concentrators(): Promise<{ concentratorId: string; meters: number; queueDepth: number }[]> {
    return this.#json('GET', '/concentrators');
  }

  counters(): Promise<FieldNetworkCounters> {
    return this.#json('GET', '/counters');
  }

  async #json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new Error(
        `field network at ${this.#base} unreachable (${method} ${path}): ${(error as Error).cause ?? (error as Error).message}`,
        { cause: error },
      );
    }
    return this.#read<T>(response, method, path);
  }

  async #read<T>(response: Response, method: string, path: string): Promise<T> {
    if (!response.ok) {
      // The answer names the problem; it never echoes the command (which may carry a DU key).
      throw new Error(`field network answered ${response.status} to ${method} ${path}: ${await response.text()}`);
    }
    return (await response.json()) as T;
  }
}

function reviveOutcome(outcome: CommandOutcome & { completedAt: string | Date }): CommandOutcome {
  const completedAt = new Date(outcome.completedAt);
  if (outcome.status === 'done' && outcome.registers) {
    return { ...outcome, completedAt, registers: { ...outcome.registers, readAt: new Date(outcome.registers.readAt) } };
  }
  return { ...outcome, completedAt };
}
