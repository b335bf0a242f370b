/** An asset provider's subscription, its DU models and its audit log. */
import type { AssetProviderStatus } from '../../domain/onboarding.js';
import type { AssetProviderRecord } from './participant.store.js';

/** A DU model's integration test as recorded by an operator; the report file is read on its own. */
export interface DuModelTest {
  duModelId: string;
  hardwareVersion: string;
  softwareVersion: string;
  outcome: 'passed' | 'failed';
  testedOn: string;
  reportFileName: string;
  createdAt: Date;
}

export interface OnboardingEvent {
  at: Date;
  action: string;
  detail: Record<string, unknown> | null;
  /** Who: the operator's or the representative's name and email, as they are now. */
  actor: { name: string; email: string } | null;
}

export interface AssetProviderDetail extends AssetProviderRecord {
  createdAt: Date;
  contract: { pecReference: string; receivedOn: string } | null;
  consentSignedOn: string | null;
  suspensionReason: string | null;
}

export interface OnboardingStore {
  /** Locks the provider's row for the rest of the transaction (steps are read-check-write). */
  findForUpdate(assetProviderId: string): Promise<AssetProviderDetail | undefined>;
  find(assetProviderId: string): Promise<AssetProviderDetail | undefined>;
  list(): Promise<(AssetProviderRecord & { createdAt: Date })[]>;
  update(
    assetProviderId: string,
    changes: {
      status?: AssetProviderStatus;
      contract?: { pecReference: string; receivedOn: string };
      consentSignedOn?: string;
      suspensionReason?: string | null;
    },
  ): Promise<void>;
  insertDuModel(
    assetProviderId: string,
    test: DuModelTest & { report: Uint8Array; reportContentType: string; recordedBy: string | null },
  ): Promise<void>;
  duModels(assetProviderId: string): Promise<DuModelTest[]>;
  duModelReport(
    assetProviderId: string,
    duModelId: string,
  ): Promise<{ fileName: string; contentType: string; content: Uint8Array } | undefined>;
  /** Models whose latest test passed, as `hardware\u0000software` keys. */
  certifiedModels(assetProviderId: string): Promise<Set<string>>;
  /** The provider's representatives, with whether each has set a password (used their activation link). */
  representatives(
    assetProviderId: string,
  ): Promise<{ representativeId: string; email: string; fullName: string; activated: boolean }[]>;
  recordEvent(event: {
    eventId: string;
    assetProviderId: string;
    action: string;
    detail: Record<string, unknown> | null;
    operatorId?: string;
    representativeId?: string;
    at: Date;
  }): Promise<void>;
  events(assetProviderId: string): Promise<OnboardingEvent[]>;
}
