import type { components, paths } from './api-schema.ts';

/**
 * The API's resources as the portal reads them: names for the types generated from the OpenAPI document
 * (api-schema.ts, `npm run generate:api-types`), never restated by hand. A new status or field on the server reaches
 * these types when the file is regenerated, and a page that does not handle it stops compiling.
 */
type Schemas = components['schemas'];
type Responses<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R
  : never;
/** The JSON body of the answer `status` to `method path` (a path, method or status the API does not have does not compile). */
type Answer<
  P extends keyof paths,
  M extends keyof paths[P],
  S extends keyof Responses<P, M> = 200 & keyof Responses<P, M>,
> = Responses<P, M>[S] extends { content: { 'application/json': infer Body } } ? Body : never;

export type Session = Answer<'/api/v1/session', 'get'>;
export type SessionUser = Session['user'];
/** A retailer (monitoring, issue #6) sees the supply points it serves: the monitoring pages and its API tokens. */
export type Role = SessionUser['role'];
export type AssetProviderStatus = Schemas['AssetProviderDetail']['status'];

export type FieldIssue = Schemas['FieldIssue'];
export type Eligibility = Schemas['Eligibility'];

/** encryptionKey is masked by the server (`****…1A2B`). */
export type Association = Schemas['Association'];
export type DuFields = Association['du'];
export type AssociationList = Answer<'/api/v1/associations', 'get'>;

export type ServiceRequest = Schemas['Request'];
export type RequestDetail = Schemas['RequestDetail'];
export type RequestTransition = RequestDetail['history'][number];
export type RequestList = Answer<'/api/v1/requests', 'get'>;
export type DsoRequestList = Answer<'/api/v1/dso/requests', 'get'>;
export type DsoRequest = DsoRequestList['items'][number];
export type DsoRequestDetail = Answer<'/api/v1/dso/requests/{id}', 'get'>;
export type Summary = Answer<'/api/v1/summary', 'get'>;
export type Quota = Answer<'/api/v1/bulk-uploads/quota', 'get'>;

export type BulkUploadList = Answer<'/api/v1/bulk-uploads', 'get'>;
export type BulkUploadSummary = BulkUploadList['items'][number];
export type BulkUploadDetail = Answer<'/api/v1/bulk-uploads/{id}', 'get'>;
export type BulkReportRow = BulkUploadDetail['rows'][number];

export type ApiToken = Answer<'/api/v1/tokens', 'get'>['items'][number];
export type CreatedApiToken = Answer<'/api/v1/tokens', 'post', 201>;

export type Operation = Schemas['Operation'];
export type OperationList = Answer<'/api/v1/operations', 'get'>;
export type TariffCalendar = NonNullable<Operation['calendar']>;
export type TariffSwitch = TariffCalendar['weekday'][number];
export type FieldNetworkStatus = Answer<'/api/v1/telemanagement/status', 'get'>;
/** One day's Chain 1 collection (issue #13): per concentrator, worst first, and totals; times on the meters' clock. */
export type CollectionStatus = Answer<'/api/v1/telemanagement/collection', 'get'>;
export type ConcentratorCollection = CollectionStatus['concentrators'][number];

export type AssetProviderSummary = Answer<'/api/v1/asset-providers', 'get'>['items'][number];
export type AssetProviderDetail = Schemas['AssetProviderDetail'];
/** The consent step's answer: the detail and each representative's one-time activation link (shown once). */
export type ConsentOutcome = Answer<'/api/v1/asset-providers/{id}/consent', 'post'>;
export type DuModel = AssetProviderDetail['duModels'][number];
/** `detail`: what the step recorded, by action (see AuditLog); `actor` null for the platform itself (e.g. an import). */
export type OnboardingEvent = AssetProviderDetail['events'][number];

/** Monitoring (CHAIN2.md §5): which computation of a day to read. `latest` is the final one where there is one. */
export type KpiPerformance = Answer<'/api/v1/kpi/performance', 'get'>;
export type KpiVersion = KpiPerformance['version'];
export type KpiGrouping = KpiPerformance['groupBy'];
/**
 * One group of supply-point days; sent and received add up only the days with both counts. `key`: the day
 * (YYYY-MM-DD), the company's id ('none' for supply points without one), the POD, or `YYYY-MM-DD|<id>` by day and company.
 */
export type KpiGroupRow = KpiPerformance['rows'][number];
export type KpiDistribution = Answer<'/api/v1/kpi/distribution', 'get'>;
/** One supply point on one day, in one version of the computation. */
export type KpiPodDay = Answer<'/api/v1/kpi/pods', 'get'>['items'][number];
export type KpiFlag = KpiPodDay['flags'][number];
export type KpiReportVersion = Answer<'/api/v1/kpi/reports', 'get'>['items'][number];
export type KpiSubmission = Answer<'/api/v1/kpi/reports', 'post'>;

/**
 * Every value of a closed set the API publishes, in the order the portal shows them: a value missing (the server added
 * one) or unknown does not compile. `allOf<Association['status']>()(['pending', 'active', 'rejected', 'deleted'])`.
 */
export const allOf =
  <T extends string>() =>
  <const L extends readonly T[]>(
    list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> }),
  ): L =>
    list;

export const KPI_FLAGS = allOf<KpiFlag>()(['missing_report', 'missing_meter_count', 'inconsistent', 'below_target']);
