import { Type, type TSchema } from 'typebox';
import { AssociationStatus } from '../domain/association.js';
import { IneligibilityReason } from '../domain/eligibility.js';
import { MAC_PATTERN } from '../domain/identifiers.js';
import { OperationKind, OperationStatus } from '../domain/meter-operation.js';
import { AssetProviderStatus } from '../domain/onboarding.js';
import { RequestKind, RequestStatus } from '../domain/request.js';
import { MAX_PAGE_SIZE } from '../services/pagination.js';

/**
 * Route schemas: they type the handlers, shape the responses and are the OpenAPI document (from which the portal's
 * types are generated: web/src/api-schema.ts). Formats (POD, MAC, key) are checked by the domain, which names every
 * bad field at once; the schemas bound sizes.
 */
const text = (description: string, maxLength = 256) => Type.String({ description, maxLength });
const timestamp = (description: string) => Type.String({ format: 'date-time', description });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * One value of a closed set of the domain (an `as const` object or list): an enum in the document, never a copy.
 * The schema is the union of literals routes have always had; typed as the set's union (TypeBox infers `never` for a
 * union built from an array).
 */
export function oneOf<const V extends string>(
  set: Readonly<Record<string, V>> | readonly V[],
  options: { description?: string } = {},
) {
  return Type.Unsafe<V>(
    Type.Union(
      (Object.values(set) as V[]).map((value) => Type.Literal(value)),
      options,
    ),
  );
}

export const AssociationStatusSchema = oneOf(AssociationStatus);
export const RequestStatusSchema = oneOf(RequestStatus);
export const AssetProviderStatusSchema = oneOf(AssetProviderStatus);
/** A MAC address as stored and returned; inputs may also be lowercase and grouped with `:` or `-` (the domain parses them). */
export const MacAddressBody = Type.String({
  pattern: MAC_PATTERN.source,
  description: 'DC + 10 uppercase hex digits, no separators',
});

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable snake_case code, e.g. invalid_input, not_eligible' }),
      message: Type.String(),
      details: Type.Optional(
        Type.Unknown({ description: 'invalid_input: [{field, code, message}]; not_eligible: {reasons}' }),
      ),
    }),
  },
  { $id: 'Error' },
);

export const PodParam = Type.Object({ pod: text('Supply point (POD), e.g. IT001E12345678', 64) });
export const IdParam = Type.Object({ id: text('Resource id (UUID)', 64) });

export const EligibilityBody = Type.Object(
  {
    pod: Type.String(),
    eligible: Type.Boolean(),
    reasons: Type.Array(oneOf(IneligibilityReason), { description: 'Every reason that applies; empty when eligible' }),
  },
  { $id: 'Eligibility' },
);

/** One problem with one input field (invalid_input details, bulk and KPI rows refused). */
export const FieldIssueBody = Type.Object(
  {
    field: Type.String({ description: 'Dotted path of the field (du.macAddress) or the CSV column (MAC_ADDRESS)' }),
    code: Type.String({ description: 'Stable snake_case code, e.g. required, invalid_mac_address' }),
    message: Type.String(),
  },
  { $id: 'FieldIssue' },
);

const DuInputFields = {
  name: text('DU name: 1–64 printable characters', 1024),
  macAddress: text('DU MAC address: DC + 10 hex digits; lowercase and :/- separators accepted', 64),
  encryptionKey: text('DU AES-128 key: 32 hex digits. Write-only: responses show ****… + the last 4 digits', 256),
  hardwareVersion: text('DU hardware version: 1–64 printable characters', 1024),
  softwareVersion: text('DU software version: 1–64 printable characters', 1024),
};
export const CreateAssociationInput = Type.Object(
  {
    pod: text('Supply point (POD)', 64),
    du: Type.Object(DuInputFields, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export const ModifyAssociationInput = Type.Object(
  {
    du: Type.Partial(Type.Object(DuInputFields, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const AssociationBody = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    pod: Type.String(),
    status: AssociationStatusSchema,
    channel: Type.String({ description: 'How Chain 2 reaches the DU: plc_band_c' }),
    du: Type.Object({
      name: Type.String(),
      macAddress: MacAddressBody,
      encryptionKey: Type.String({ description: 'Masked: ****… + the last 4 hex digits' }),
      hardwareVersion: Type.String(),
      softwareVersion: Type.String(),
    }),
    createdAt: timestamp('When the association was requested'),
    updatedAt: timestamp('Last change of status or DU'),
  },
  { $id: 'Association' },
);

export const RequestFields = {
  id: Type.String({ format: 'uuid' }),
  kind: oneOf(RequestKind),
  pod: Type.String(),
  associationId: Type.String({ format: 'uuid' }),
  status: RequestStatusSchema,
  reason: nullable(Type.String({ description: 'Reason code of a rejection or failure' })),
  createdAt: timestamp('Submitted at'),
  updatedAt: timestamp('Last transition'),
  closedAt: nullable(timestamp('Reached a final status at')),
};
export const RequestBody = Type.Object(RequestFields, { $id: 'Request' });
export const RequestHistory = Type.Array(
  Type.Object({ status: RequestStatusSchema, reason: nullable(Type.String()), at: timestamp('Transition time') }),
);
export const RequestDetailBody = Type.Object(
  {
    ...RequestFields,
    history: RequestHistory,
  },
  { $id: 'RequestDetail' },
);

export const CreatedAssociationBody = Type.Object({
  association: Type.Ref('Association'),
  request: Type.Ref('Request'),
});
export const AcceptedRequestBody = Type.Object({ request: Type.Ref('Request') });

const pageQuery = {
  cursor: Type.Optional(text('nextCursor of the previous page', 200)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
};
export const AssociationListQuery = Type.Object(
  {
    pod: Type.Optional(text('Only this POD', 64)),
    status: Type.Optional(AssociationStatusSchema),
    ...pageQuery,
  },
  { additionalProperties: false },
);
export const RequestListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('closed')], {
        description: 'open = submitted, queued, taken_in_charge; closed = completed, rejected, failed',
      }),
    ),
    kind: Type.Optional(oneOf(RequestKind)),
    pod: Type.Optional(text('Only this POD', 64)),
    ...pageQuery,
  },
  { additionalProperties: false },
);

/** A page of a list, newest first: the items (a shared schema by its $id, or a schema) and the cursor of the next. */
export const pageOf = (items: string | TSchema) =>
  Type.Object({
    items: Type.Array(typeof items === 'string' ? Type.Ref(items) : items),
    nextCursor: nullable(Type.String({ description: 'Pass as cursor for the next page; null on the last' })),
  });

export const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'A retry with the same key and body returns the first answer instead of making a second request',
    }),
  ),
});

const TariffSwitches = Type.Array(
  Type.Object(
    {
      fromMinute: Type.Integer({ description: 'Minutes after local midnight (Europe/Rome) from which the band holds' }),
      band: Type.Integer({ description: 'Band 1–6 (F1, F2, F3…)' }),
    },
    { additionalProperties: false },
  ),
  { maxItems: 96 },
);
const TariffCalendarSchema = Type.Object(
  { weekday: TariffSwitches, saturday: TariffSwitches, holiday: TariffSwitches },
  {
    additionalProperties: false,
    description: 'Band programme per day type; each starts at minute 0',
  },
);

export const CreateOperationInput = Type.Object(
  {
    pod: text('Supply point (POD) whose meter receives the command', 64),
    kind: oneOf(OperationKind),
    availablePowerW: Type.Optional(Type.Integer({ description: 'set_available_power: the new available power, W' })),
    calendar: Type.Optional(TariffCalendarSchema),
  },
  { additionalProperties: false },
);

export const OperationBody = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    pod: Type.String(),
    kind: oneOf(OperationKind),
    availablePowerW: Type.Optional(Type.Integer()),
    calendar: Type.Optional(TariffCalendarSchema),
    status: oneOf(OperationStatus, { description: 'submitted → queued → completed | failed' }),
    reason: nullable(
      Type.String({
        description: 'Why it failed: meter_unreachable, link_timeout, rejected_by_meter, unknown_meter, workflow_error',
      }),
    ),
    detail: nullable(Type.String({ description: "The head-end's words on a failure" })),
    attempts: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Transmissions to the meter, retries included',
    }),
    registers: Type.Union(
      [
        Type.Object({
          readAt: timestamp('When the meter read them'),
          importEnergyWh: Type.Number(),
          exportEnergyWh: Type.Number(),
          importEnergyByBandWh: Type.Array(Type.Number(), { description: 'F1…F6' }),
          availablePowerW: Type.Number(),
          connected: Type.Boolean(),
        }),
        Type.Null(),
      ],
      { description: 'read_registers: the registers the meter answered with' },
    ),
    requestedBy: Type.String({ format: 'uuid', description: 'The operator who asked' }),
    createdAt: timestamp('Submitted at'),
    completedAt: nullable(timestamp('Reached completed or failed at')),
  },
  { $id: 'Operation' },
);

export const OperationListQuery = Type.Object(
  {
    pod: Type.Optional(text('Only this POD', 64)),
    status: Type.Optional(oneOf(OperationStatus)),
    ...pageQuery,
  },
  { additionalProperties: false },
);

export const sharedSchemas = [
  ErrorBody,
  EligibilityBody,
  FieldIssueBody,
  AssociationBody,
  RequestBody,
  RequestDetailBody,
  OperationBody,
];
