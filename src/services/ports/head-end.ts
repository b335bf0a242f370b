/** Chain 1: the DSO's telemanagement head-end and what it reports of the field network. */
import type { AddressedCommand, CommandOutcome } from '../../domain/meter-command.js';

/**
 * The DSO's central telemanagement system (Chain 1 head-end): delivers commands to meters through their
 * concentrators and reports each outcome. The field-network simulator implements it; a real head-end adapter would too.
 */
export interface HeadEnd {
  /** Resolves when the meter acknowledged, or when delivery was given up (failed, with a reason). Never rejects for field failures. */
  send(command: AddressedCommand): Promise<CommandOutcome>;
}

/** What the head-end reports of the field network, for the operators' telemanagement view. */
export interface FieldNetworkView {
  concentrators(): Promise<{ concentratorId: string; meters: number; queueDepth: number }[]>;
  counters(): Promise<{
    sent: number;
    attempts: number;
    retried: number;
    done: number;
    failed: number;
    failedByReason: Record<string, number>;
  }>;
}

/** Frames sent per meter per day, as telemanagement collects them from the meters (their own counters). */
export interface MeterCountSource {
  sentOn(day: string): Promise<{ pod: string; sent: number }[]>;
}
