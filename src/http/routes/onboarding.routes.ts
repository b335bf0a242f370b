import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { DuModelInput, OnboardingDetail, OnboardingService } from '../../services/onboarding.service.js';
import type { FastifyTypeBox } from '../app.js';
import { operatorOf } from '../auth.js';
import { AssetProviderStatusSchema, IdParam, oneOf } from '../schemas.js';
import { DuModelOutcome } from '../../domain/onboarding.js';

const tags = ['onboarding'];
const Summary = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  vatNumber: Type.String(),
  status: AssetProviderStatusSchema,
  createdAt: Type.String({ format: 'date-time' }),
};
const Detail = Type.Object(
  {
    ...Summary,
    contract: Type.Union([
      Type.Object({ pecReference: Type.String(), receivedOn: Type.String({ format: 'date' }) }),
      Type.Null(),
    ]),
    consentSignedOn: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    suspensionReason: Type.Union([Type.String(), Type.Null()]),
    duModels: Type.Array(
      Type.Object({
        id: Type.String(),
        hardwareVersion: Type.String(),
        softwareVersion: Type.String(),
        outcome: oneOf(DuModelOutcome),
        testedOn: Type.String({ format: 'date' }),
        reportFileName: Type.String(),
        reportUrl: Type.String(),
        recordedAt: Type.String({ format: 'date-time' }),
      }),
    ),
    representatives: Type.Array(
      Type.Object({ email: Type.String(), fullName: Type.String(), activated: Type.Boolean() }),
    ),
    events: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        action: Type.String(),
        detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
        actor: Type.Union([Type.Object({ name: Type.String(), email: Type.String() }), Type.Null()]),
      }),
    ),
  },
  { $id: 'AssetProviderDetail' },
);
const DetailRef = { $ref: 'AssetProviderDetail#' };
const date = (description: string) => Type.String({ maxLength: 10, description: `${description} (YYYY-MM-DD)` });

function present(d: OnboardingDetail, prefix: string) {
  return {
    id: d.assetProviderId,
    name: d.name,
    vatNumber: d.vatNumber,
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    contract: d.contract,
    consentSignedOn: d.consentSignedOn,
    suspensionReason: d.suspensionReason,
    duModels: d.duModels.map((m) => ({
      id: m.duModelId,
      hardwareVersion: m.hardwareVersion,
      softwareVersion: m.softwareVersion,
      outcome: m.outcome,
      testedOn: m.testedOn,
      reportFileName: m.reportFileName,
      reportUrl: `${prefix}/asset-providers/${d.assetProviderId}/du-models/${m.duModelId}/report`,
      recordedAt: m.createdAt.toISOString(),
    })),
    representatives: d.representatives,
    events: d.events.map((e) => ({ ...e, at: e.at.toISOString() })),
  };
}

/** Report files are served back as what they are only for these types; anything else is a download of bytes. */
const REPORT_TYPES = new Set(['application/pdf', 'text/plain', 'image/png', 'image/jpeg']);

/** A DU model's test as a form: text fields and the report file (field `report`). */
async function duModelForm(request: FastifyRequest): Promise<DuModelInput> {
  if (!request.isMultipart())
    throw new DomainError(
      DomainErrorCode.invalidFile,
      'Send the DU model as multipart/form-data with the report file as the field "report"',
    );
  const input: Record<string, unknown> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'report')
        throw new DomainError(
          DomainErrorCode.invalidFile,
          `Unexpected file field "${part.fieldname}": send the report as "report"`,
        );
      input.report = {
        fileName: part.filename,
        contentType: REPORT_TYPES.has(part.mimetype) ? part.mimetype : 'application/octet-stream',
        content: await part.toBuffer(),
      };
    } else {
      input[part.fieldname] = part.value;
    }
  }
  return input;
}

/** Onboarding of asset providers, for DSO operators: registered in the operators' scope (app.ts). */
export function onboardingRoutes(
  app: FastifyTypeBox,
  onboarding: OnboardingService,
  prefix: string,
  activationUrl: (request: FastifyRequest, token: string) => string,
) {
  app.addSchema(Detail);
  const detail = (d: OnboardingDetail) => present(d, prefix);

  app.get(
    '/asset-providers',
    {
      schema: {
        summary: 'Every asset provider with its onboarding status',
        tags,
        response: { 200: Type.Object({ items: Type.Array(Type.Object(Summary)) }) },
      },
    },
    async () => ({
      items: (await onboarding.list()).map((p) => ({
        id: p.assetProviderId,
        name: p.name,
        vatNumber: p.vatNumber,
        status: p.status,
        createdAt: p.createdAt.toISOString(),
      })),
    }),
  );

  app.post(
    '/asset-providers',
    {
      schema: {
        summary: 'Register an applying asset provider (status applied)',
        tags,
        body: Type.Object(
          {
            name: Type.String({ maxLength: 1024 }),
            vatNumber: Type.String({ maxLength: 64, description: 'Partita IVA: 11 digits, optionally after IT' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: DetailRef },
      },
    },
    async (request, reply) =>
      reply.code(201).send(detail(await onboarding.apply(operatorOf(request).operatorId, request.body))),
  );

  app.get(
    '/asset-providers/:id',
    {
      schema: {
        summary: 'One asset provider: onboarding status, contract, DU models, representatives, audit log',
        tags,
        params: IdParam,
        response: { 200: DetailRef },
      },
    },
    async (request) => detail(await onboarding.get(request.params.id)),
  );

  app.post(
    '/asset-providers/:id/contract',
    {
      schema: {
        summary: 'Record the contract received by certified mail (applied → contract_received)',
        tags,
        params: IdParam,
        body: Type.Object(
          { pecReference: Type.String({ maxLength: 1024 }), receivedOn: date('Day the PEC was received') },
          { additionalProperties: false },
        ),
        response: { 200: DetailRef },
      },
    },
    async (request) =>
      detail(await onboarding.recordContract(operatorOf(request).operatorId, request.params.id, request.body)),
  );

  app.post(
    '/asset-providers/:id/du-models',
    {
      schema: {
        summary:
          "Record a DU model's integration test with its report (a first passed one: contract_received → du_certified)",
        tags,
        params: IdParam,
        description:
          'multipart/form-data: hardwareVersion, softwareVersion, outcome (passed | failed), testedOn (YYYY-MM-DD), and the file "report" (≤ 5 MiB).',
        response: { 200: DetailRef },
      },
    },
    async (request) =>
      detail(
        await onboarding.recordDuModel(operatorOf(request).operatorId, request.params.id, await duModelForm(request)),
      ),
  );

  app.get(
    '/asset-providers/:id/du-models/:modelId/report',
    {
      schema: {
        summary: "Download a DU model's integration-test report",
        tags,
        params: Type.Object({ id: Type.String({ maxLength: 64 }), modelId: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const report = await onboarding.reportOf(request.params.id, request.params.modelId);
      return reply
        .type(report.contentType)
        .header('x-content-type-options', 'nosniff')
        .header(
          'content-disposition',
          `attachment; filename="${report.fileName.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(report.fileName)}`,
        )
        .send(Buffer.from(report.content));
    },
  );

  app.post(
    '/asset-providers/:id/consent',
    {
      config: { secretResponse: true },
      schema: {
        summary: 'Record the consent form naming up to 3 representatives (du_certified → consent_received)',
        tags,
        params: IdParam,
        description:
          'Each representative becomes a portal login with a one-time activation link, returned here only: send it to their mailbox.',
        body: Type.Object(
          {
            signedOn: date('Day the form was signed'),
            representatives: Type.Array(
              Type.Object(
                { email: Type.String({ maxLength: 320 }), fullName: Type.String({ maxLength: 1024 }) },
                { additionalProperties: false },
              ),
              { maxItems: 10 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            ...Detail.properties,
            activationLinks: Type.Array(Type.Object({ email: Type.String(), url: Type.String() })),
          }),
        },
      },
    },
    async (request) => {
      const { activationLinks, ...result } = await onboarding.recordConsent(
        operatorOf(request).operatorId,
        request.params.id,
        request.body,
      );
      return {
        ...detail(result),
        activationLinks: activationLinks.map((l) => ({ email: l.email, url: activationUrl(request, l.token) })),
      };
    },
  );

  app.post(
    '/asset-providers/:id/representatives/activation',
    {
      config: { secretResponse: true },
      schema: {
        summary: 'A new one-time activation link for a representative (lost or expired link, forgotten password)',
        tags,
        params: IdParam,
        description:
          "The earlier link and the password stop working and the person's sessions end. The link is in this answer only.",
        body: Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ email: Type.String(), url: Type.String() }) },
      },
    },
    async (request) => {
      const link = await onboarding.renewActivation(
        operatorOf(request).operatorId,
        request.params.id,
        request.body.email,
      );
      return { email: link.email, url: activationUrl(request, link.token) };
    },
  );

  app.post(
    '/asset-providers/:id/activate',
    {
      schema: {
        summary: 'Grant access to the online services (consent_received → active)',
        tags,
        params: IdParam,
        response: { 200: DetailRef },
      },
    },
    async (request) => detail(await onboarding.activate(operatorOf(request).operatorId, request.params.id)),
  );

  app.post(
    '/asset-providers/:id/suspend',
    {
      schema: {
        summary: 'Suspend access to the online services (active → suspended)',
        tags,
        params: IdParam,
        body: Type.Object({ reason: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 200: DetailRef },
      },
    },
    async (request) =>
      detail(await onboarding.suspend(operatorOf(request).operatorId, request.params.id, request.body)),
  );

  app.post(
    '/asset-providers/:id/reinstate',
    {
      schema: {
        summary: 'Give a suspended asset provider its access back (suspended → active)',
        tags,
        params: IdParam,
        response: { 200: DetailRef },
      },
    },
    async (request) => detail(await onboarding.reinstate(operatorOf(request).operatorId, request.params.id)),
  );
}
