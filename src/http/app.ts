import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { join, sep } from 'node:path';
import Fastify, {
  errorCodes,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { AccessService } from '../services/access.service.js';
import type { CollectionStatusReader } from '../services/ports/index.js';
import type { AssociationService } from '../services/association.service.js';
import type { BulkUploadService } from '../services/bulk-upload.service.js';
import type { EligibilityService } from '../services/eligibility.service.js';
import type { IdempotencyService } from '../services/idempotency.service.js';
import type { KpiService } from '../services/kpi.service.js';
import type { OnboardingService } from '../services/onboarding.service.js';
import type { OperationService } from '../services/operation.service.js';
import type { RequestService } from '../services/request.service.js';
import type { SessionService } from '../services/session.service.js';
import { authenticate, refuseInactiveAssetProvider, requireRole, sessionCookie } from './auth.js';
import { answerClientError, handleError, handleNotFound, mediaTypeOf } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import { RequestLog } from './request-log.js';
import { associationRoutes } from './routes/associations.routes.js';
import { bulkUploadRoutes } from './routes/bulk-uploads.routes.js';
import { collectionRoutes } from './routes/collection.routes.js';
import { eligibilityRoutes } from './routes/eligibility.routes.js';
import { operationRoutes } from './routes/operations.routes.js';
import { kpiRoutes } from './routes/kpi.routes.js';
import { onboardingRoutes } from './routes/onboarding.routes.js';
import { dsoRequestRoutes, requestRoutes } from './routes/requests.routes.js';
import { sessionRoutes } from './routes/session.routes.js';
import { tokenRoutes } from './routes/tokens.routes.js';
import { sharedSchemas } from './schemas.js';

export type FastifyTypeBox = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppServices {
  access: AccessService;
  eligibility: EligibilityService;
  associations: AssociationService;
  requests: RequestService;
  idempotency: IdempotencyService;
  bulkUploads: BulkUploadService;
  operations: OperationService;
  sessions: SessionService;
  onboarding: OnboardingService;
  kpi: KpiService;
  collection: CollectionStatusReader;
}

export interface AppOptions {
  /** Fastify's logger settings, or (`loggerInstance`) a logger made beforehand (the platform's, shared with its other parts). */
  logger?: FastifyServerOptions['logger'];
  loggerInstance?: FastifyBaseLogger;
  bulkMaxBytes: number;
  /** The largest KPI report file (text/csv body; a form's file is capped at bulkMaxBytes). */
  kpiMaxBytes: number;
  /** The built portal (web/dist); undefined: none is served. */
  webRoot?: string | undefined;
  /** Where users reach the portal (for activation links); unset: the address each request came to. */
  publicUrl?: string | undefined;
}

/** The portal's pages load only what the same server sends: no inline script, no other origin, no framing. */
const PORTAL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

export const API_PREFIX = '/api/v1';

/** The CSV routes read and write files, which route schemas (JSON) cannot describe: say so in the document. */
function describeCsvBodies<T extends object>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths;
  const csv = (description: string) => ({ 'text/csv': { schema: { type: 'string', description } } });
  const upload = paths?.[`${API_PREFIX}/bulk-uploads`]?.post;
  if (upload)
    upload.requestBody = {
      required: true,
      content: csv('POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW and one row per association, UTF-8'),
    };
  const report = paths?.[`${API_PREFIX}/bulk-uploads/{id}/report.csv`]?.get;
  if (report)
    report.responses = {
      200: {
        description: 'The per-row report',
        content: csv('Riga;POD;Idoneo;Motivi_non_idoneita;Stato;Motivo;Dettaglio;ID_richiesta'),
      },
    };
  return document;
}

/** Logged requests never carry credentials or bodies (DU keys travel in bodies). */
export const LOG_REDACTIONS = ['req.headers.authorization', 'req.headers.cookie'];

/** Headers on every answer, the framework's own refusals and the HTTP parser's included. */
function securityHeaders(https: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

/** API answers are one caller's data, some with secrets: never kept by a browser or a proxy. */
const isApiUrl = (url: string) => /^\/api(\/|\?|$)/i.test(url);

export async function buildApp(services: AppServices, options: AppOptions): Promise<FastifyTypeBox> {
  const https = options.publicUrl?.startsWith('https:') ?? false;
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger }),
    // One line per request, at debug (request-log.ts), instead of Fastify's two at info.
    logController: new RequestLog(),
    bodyLimit: 1 << 20,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
    // A path parameter is bounded by its route's schema (400 naming the field), the URL by Node's 16 KB: no router cut.
    routerOptions: { maxParamLength: 16 * 1024 },
    // What the router refuses (a lone %) and what Node's parser refuses (over 16 KB, not HTTP): the same error shape.
    // The router's refusals run no hook: they get the headers here.
    frameworkErrors: (error, request, reply) => handleError(error, request, addHeaders(request, reply)),
    clientErrorHandler: answerClientError({ ...securityHeaders(https), 'cache-control': 'no-store' }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  function addHeaders<R extends FastifyReply>(request: FastifyRequest, reply: R): R {
    reply.headers(securityHeaders(https));
    if (isApiUrl(request.url)) reply.header('cache-control', 'no-store');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html'))
      reply.header('content-security-policy', PORTAL_CSP).header('x-frame-options', 'DENY');
    return reply;
  }
  app.setErrorHandler(handleError);
  app.addHook('onSend', async (request, reply) => {
    addHeaders(request, reply);
  });
  // A route with a JSON body schema reads JSON only: a CSV, a file or a form sent to it is refused whole, before it
  // is read, instead of being validated as if it were the object (a Buffer's methods reported as unknown fields).
  app.addHook('preParsing', async (request) => {
    if (
      request.routeOptions.schema?.body &&
      request.headers['content-type'] !== undefined &&
      mediaTypeOf(request) !== 'application/json'
    ) {
      throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(mediaTypeOf(request));
    }
  });
  await app.register(cookie);
  if (options.webRoot) {
    // The portal: its files, and index.html for any other page address (the single-page app routes it).
    // Built files have content hashes in their names (assets/): cached for good; index.html is checked every time.
    const assets = join(options.webRoot, 'assets') + sep;
    await app.register(fastifyStatic, {
      root: options.webRoot,
      wildcard: true,
      index: 'index.html',
      cacheControl: false,
      setHeaders: (reply, path) =>
        reply.header('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    app.setNotFoundHandler((request, reply) =>
      request.method === 'GET' && !/^\/(api|assets)(\/|$)/i.test(request.url)
        ? reply.header('cache-control', 'no-cache').sendFile('index.html')
        : handleNotFound(request, reply),
    );
  } else {
    app.setNotFoundHandler(handleNotFound);
  }
  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chain 2 online services',
        version: '1.0.0',
        description:
          'Eligibility of supply points and POD–DU associations for asset providers. Errors are {"error":{"code","message","details"}}.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: "A representative's personal API token" },
        },
      },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    transformObject: (document) =>
      describeCsvBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (api) => {
      sessionRoutes(api.withTypeProvider<TypeBoxTypeProvider>(), services.sessions, cookieOf(options));
      await api.register((authenticated) =>
        authenticatedRoutes(authenticated.withTypeProvider<TypeBoxTypeProvider>(), services, options),
      );
    },
    { prefix: API_PREFIX },
  );

  return app;
}

const cookieOf = (options: AppOptions) => sessionCookie(options.publicUrl?.startsWith('https:') ?? false);

/** Everything behind a bearer token or a portal session. */
async function authenticatedRoutes(typed: FastifyTypeBox, services: AppServices, options: AppOptions) {
  typed.addHook('onRequest', authenticate(services.access, services.sessions, cookieOf(options).name));
  // Only an active asset provider's representatives use the services; a suspended one may still log in and see why.
  typed.addHook('onRequest', refuseInactiveAssetProvider);
  // A bulk CSV may also come as a form's file (multipart/form-data, field `file`), as browsers send it.
  await typed.register(multipart, { limits: { fileSize: options.bulkMaxBytes, files: 1, fields: 10, parts: 12 } });
  registerIdempotency(typed, services.idempotency);
  // Any caller: eligibility is a fact about a supply point; tokens are everyone's own.
  eligibilityRoutes(typed, services.eligibility);
  tokenRoutes(typed, services.access);
  // Monitoring: every role, each with its own view (the service scopes what it returns).
  await typed.register(async (scope) =>
    kpiRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), services.kpi, options.kpiMaxBytes),
  );
  // Each role's routes in a scope that refuses the other role before anything else runs (idempotency, body parsing).
  await typed.register(async (scope) => {
    const onlineServices = scope.withTypeProvider<TypeBoxTypeProvider>();
    onlineServices.addHook('onRequest', requireRole('asset_provider'));
    associationRoutes(onlineServices, services.associations);
    requestRoutes(onlineServices, services.requests);
    bulkUploadRoutes(onlineServices, services.bulkUploads, options.bulkMaxBytes);
  });
  await typed.register(async (scope) => {
    const operators = scope.withTypeProvider<TypeBoxTypeProvider>();
    operators.addHook('onRequest', requireRole('dso_operator'));
    operationRoutes(operators, services.operations);
    collectionRoutes(operators, services.collection);
    dsoRequestRoutes(operators, services.requests);
    onboardingRoutes(
      operators,
      services.onboarding,
      API_PREFIX,
      (request, token) => `${options.publicUrl ?? `${request.protocol}://${request.host}`}/activate#token=${token}`,
    );
  });
}
