/** Who calls the platform: identities and roles, the same whatever the transport (API token, portal session). */
import type { AssetProviderStatus } from './onboarding.js';

/** A representative of an asset provider: the caller of the online services. */
export interface Principal {
  representativeId: string;
  assetProviderId: string;
}

/** The three kinds of user: the published list of `Caller['role']` (API schemas, the portal). */
export const Role = {
  assetProvider: 'asset_provider',
  dsoOperator: 'dso_operator',
  retailer: 'retailer',
} as const satisfies Record<string, Caller['role']>;
export type Role = (typeof Role)[keyof typeof Role];

/** Whoever a token or a session belongs to: an asset provider's representative, a DSO operator or a retailer's user. */
export type Caller =
  | ({ role: 'asset_provider'; assetProviderStatus: AssetProviderStatus } & Principal)
  | { role: 'dso_operator'; operatorId: string }
  /** A user of a retailer: sees the monitoring of the supply points the retailer serves. */
  | { role: 'retailer'; retailerUserId: string; retailerId: string };

/** Who holds a token or a login: exactly one of a representative, an operator or a retailer's user. */
export type TokenHolder = { representativeId: string } | { operatorId: string } | { retailerUserId: string };
