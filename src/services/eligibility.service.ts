import { assessEligibility, type Eligibility } from '../domain/eligibility.js';
import { invalidInput } from '../domain/errors.js';
import { parsePod } from '../domain/identifiers.js';
import type { SupplyPointStore } from './ports/index.js';

export class EligibilityService {
  constructor(
    private readonly supplyPoints: SupplyPointStore,
    private readonly ownDistributorCodes: readonly string[],
  ) {}

  /** Answered at once; an unknown POD is not an error but `pod_not_found`. */
  async check(podInput: unknown): Promise<Eligibility> {
    const parsed = parsePod(podInput);
    if (!parsed.ok) throw invalidInput([parsed.issue]);
    return this.assess(this.supplyPoints, parsed.value);
  }

  async assess(
    supplyPoints: SupplyPointStore,
    pod: Parameters<SupplyPointStore['findForEligibility']>[0],
  ): Promise<Eligibility> {
    const found = await supplyPoints.findForEligibility(pod);
    return assessEligibility({ pod, ...found, ownDistributorCodes: this.ownDistributorCodes });
  }
}
