/** The DSO's registry of supply points and concentrators. */
import type { SupplyPoint } from '../../domain/eligibility.js';
import type { Pod } from '../../domain/identifiers.js';

export interface SupplyPointStore {
  /** The supply point (if registered) and whether a live association holds it, in one round trip. */
  findForEligibility(pod: Pod): Promise<{ supplyPoint: SupplyPoint | undefined; hasLiveAssociation: boolean }>;
  /** The same for many PODs in one query, in the order asked. */
  findManyForEligibility(
    pods: readonly Pod[],
  ): Promise<{ supplyPoint: SupplyPoint | undefined; hasLiveAssociation: boolean }[]>;
  /** Bulk load (COPY) of the DSO's registry; existing PODs are an error. Returns the number of rows loaded. Not inside a transaction. */
  importMany(rows: Iterable<SupplyPoint>): Promise<number>;
  insertConcentrators(concentrators: readonly Concentrator[]): Promise<void>;
  count(): Promise<number>;
}

/** A data concentrator in a secondary substation: the Chain 1 master of ≈100 meters. */
export interface Concentrator {
  concentratorId: string;
  substation: string;
}
