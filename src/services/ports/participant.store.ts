/** Who takes part: asset providers' representatives, operators, retailers and their users, supply contracts. */
import type { AssetProviderStatus } from '../../domain/onboarding.js';

export interface AssetProviderRecord {
  assetProviderId: string;
  name: string;
  vatNumber: string;
  status: AssetProviderStatus;
}

export interface RetailerRecord {
  retailerId: string;
  name: string;
  vatNumber: string;
}

export interface RepresentativeRecord {
  representativeId: string;
  assetProviderId: string;
  email: string;
  fullName: string;
}

export interface OperatorRecord {
  operatorId: string;
  email: string;
  fullName: string;
}

export interface ParticipantStore {
  insertAssetProvider(assetProvider: AssetProviderRecord, at: Date): Promise<void>;
  /** At most 3 per asset provider (CHAIN2.md §3): the fourth is refused. */
  insertRepresentative(representative: RepresentativeRecord, at: Date): Promise<void>;
  listRepresentatives(assetProviderId: string): Promise<RepresentativeRecord[]>;
  insertOperator(operator: OperatorRecord, at: Date): Promise<void>;
  listOperators(): Promise<OperatorRecord[]>;
  insertRetailer(retailer: RetailerRecord, at: Date): Promise<void>;
  insertRetailerUser(
    user: { retailerUserId: string; retailerId: string; email: string; fullName: string },
    at: Date,
  ): Promise<void>;
  listRetailers(): Promise<RetailerRecord[]>;
  listRetailerUsers(retailerId: string): Promise<{ retailerUserId: string; email: string; fullName: string }[]>;
  /** Which retailer serves which supply point (set-based; a later assignment replaces an earlier one). */
  assignRetailers(contracts: readonly { pod: string; retailerId: string }[]): Promise<void>;
  /** The asset provider's own bulk quota per 24 h, or null for the platform default. */
  bulkQuotaOf(assetProviderId: string): Promise<number | null>;
}
