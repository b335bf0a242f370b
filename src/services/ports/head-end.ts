/** Chain 1: the DSO's telemanagement head-end and what it reports of the field network. */
import type { ConcentratorDayRead } from '../../domain/day-file.js';
import type { MacAddress, Pod } from '../../domain/identifiers.js';
import type { AddressedCommand, CommandFailure, CommandOutcome, TariffCalendar } from '../../domain/meter-command.js';

/**
 * The DSO's central telemanagement system (Chain 1 head-end): delivers commands to meters through their
 * concentrators and reports each outcome. The field-network simulator implements it; a real head-end adapter would too.
 */
export interface HeadEnd {
  /** Resolves when the meter acknowledged, or when delivery was given up (failed, with a reason). Never rejects for field failures. */
  send(command: AddressedCommand): Promise<CommandOutcome>;
  /**
   * The daily read of one concentrator: the day files of `pods` (its meters, or those still missing from an earlier
   * run) for `day` (YYYY-MM-DD, Europe/Rome), and the reason for each one that did not come back. It goes through the
   * concentrator's power-line queue after the commands waiting there (commands first), so it costs link time. Never
   * rejects for field failures: a meter that does not answer is `missing`.
   */
  dailyRead(request: DailyReadRequest): Promise<ConcentratorDayRead>;
}

export interface DailyReadRequest {
  concentratorId: string;
  day: string;
  pods: readonly Pod[];
}

/** What the head-end reports of the field network, for the operators' telemanagement view. */
export interface FieldNetworkView {
  concentrators(): Promise<{ concentratorId: string; meters: number; queueDepth: number }[]>;
  counters(): Promise<FieldNetworkCounters>;
}

/** Totals since the field network started, for an operator view. */
export interface FieldNetworkCounters {
  /** Commands handed to `send`. */
  sent: number;
  /** Frames transmitted to meters, first attempts and retries. */
  attempts: number;
  /** Attempts after the first. */
  retried: number;
  done: number;
  failed: number;
  failedByReason: Record<CommandFailure, number>;
}

/** Where a meter sits in the Chain 1 network and what its supply contract allows. */
export interface MeterSite {
  pod: Pod;
  /** The 17-character DataPlate (CHAIN2.md §2). */
  meterSerial: string;
  concentratorId: string;
  contractPowerW: number;
}

/** A supply point as the registry holds it; one without a concentrator is not telemanaged. */
export type NetworkSite = Omit<MeterSite, 'concentratorId'> & { concentratorId: string | null };

/** A read-only copy of a meter's state for tests and operator views. The Chain 2 key is never in it. */
export interface MeterState extends MeterSite {
  availablePowerW: number;
  connected: boolean;
  hasChain2: boolean;
  macAddress: MacAddress | null;
  /** The last four hex digits of the DU key, the only part ever shown (CHAIN2.md §2). */
  keyLast4: string | null;
  tariffCalendar: TariffCalendar;
  /** Distinct command ids executed (accepted or refused); a repeated id does not count again. */
  commandsProcessed: number;
}

/** A meter's state as the field network shows it, with its reachability. Never the DU key. */
export interface FieldMeterState extends MeterState {
  reachable: boolean;
}
