/** POD–DU associations. */
import type { Association, AssociationStatus, Chain2Channel } from '../../domain/association.js';
import type { SupplyPoint } from '../../domain/eligibility.js';
import type { MacAddress, Pod } from '../../domain/identifiers.js';
import type { PageQuery } from './stores.js';

export interface DuFields {
  name: string;
  macAddress: MacAddress;
  hardwareVersion: string;
  softwareVersion: string;
}

export interface NewAssociation {
  associationId: string;
  assetProviderId: string;
  pod: Pod;
  channel: Chain2Channel;
  du: DuFields;
  sealedKey: Uint8Array;
  keyLast4: string;
  at: Date;
}

/** A pending DU modification as stored with its request; the new key only sealed. */
export interface DuChanges extends Partial<DuFields> {
  sealedKey?: Uint8Array;
  keyLast4?: string;
}

export interface AssociationFilter extends PageQuery {
  assetProviderId: string;
  pod?: Pod;
  status?: AssociationStatus;
}

export interface AssociationStore {
  /** Refuses (DomainError already_associated / mac_in_use) when a live association holds the POD or the MAC. */
  insert(association: NewAssociation): Promise<void>;
  /** The same for many, set-based (bulk uploads). */
  insertMany(associations: readonly NewAssociation[]): Promise<void>;
  /** Only the owner's: another asset provider's association is reported as absent. */
  findOwned(assetProviderId: string, associationId: string): Promise<Association | undefined>;
  find(associationId: string): Promise<Association | undefined>;
  isMacLive(macAddress: MacAddress, exceptAssociationId?: string): Promise<boolean>;
  /** The association's sealed DU key, for the request workflow that programs the meter. */
  sealedKeyOf(associationId: string): Promise<Uint8Array | undefined>;
  /**
   * What every active association has written into its meter (the head-end's configuration inventory), with the
   * meter's place in the network: for a simulated field network that starts again with its meters programmed.
   */
  activeChain2Configurations(): Promise<{ site: SupplyPoint; macAddress: MacAddress; sealedKey: Uint8Array }[]>;
  /** Which of these MAC addresses are in a live association. */
  liveMacs(macAddresses: readonly MacAddress[]): Promise<Set<string>>;
  list(filter: AssociationFilter): Promise<Association[]>;
  countByStatus(assetProviderId: string): Promise<Record<AssociationStatus, number>>;
  setStatus(associationId: string, status: AssociationStatus, at: Date): Promise<void>;
  /** `meterAt`: when the meter acknowledged, on the meters' clock (active_from / active_until); else `at`. */
  setStatusMany(
    moves: readonly { associationId: string; status: AssociationStatus; meterAt?: Date }[],
    at: Date,
  ): Promise<void>;
  findMany(associationIds: readonly string[]): Promise<Map<string, Association>>;
  sealedKeysOf(associationIds: readonly string[]): Promise<Map<string, Uint8Array>>;
  applyChanges(associationId: string, changes: DuChanges, at: Date): Promise<void>;
}
