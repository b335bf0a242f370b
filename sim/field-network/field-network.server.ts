import Fastify, { type FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Pod } from '../../src/domain/identifiers.js';
import type { AddressedCommand, MeterCommand } from '../../src/domain/meter-command.js';
import type { Logger } from '../../src/services/ports/index.js';
import type { FieldNetworkSimulator } from './field-network.simulator.js';

/**
 * The field network as a service of its own: the simulated concentrators and meters live in this process, and
 * head-ends (the workers' `FieldNetworkClient`) reach them over HTTP, as a central system reaches its
 * concentrators over IP. A worker killed mid-command leaves the meters as they were: they are not in the worker.
 *
 * Commands carry DU keys: the service listens on the loopback interface by default and logs no bodies.
 */
const Switches = Type.Array(
  Type.Object({
    fromMinute: Type.Integer({ minimum: 0, maximum: 1439 }),
    band: Type.Integer({ minimum: 1, maximum: 6 }),
  }),
  { maxItems: 48 },
);
const Command = Type.Union([
  Type.Object({
    kind: Type.Literal('program_chain2'),
    macAddress: Type.String({ pattern: '^[0-9A-F]{12}$' }),
    encryptionKey: Type.String({ pattern: '^[0-9A-F]{32}$' }),
  }),
  Type.Object({ kind: Type.Literal('clear_chain2') }),
  Type.Object({ kind: Type.Literal('connect') }),
  Type.Object({ kind: Type.Literal('disconnect') }),
  Type.Object({ kind: Type.Literal('set_available_power'), availablePowerW: Type.Integer({ minimum: 0 }) }),
  Type.Object({
    kind: Type.Literal('set_tariff_calendar'),
    calendar: Type.Object({ weekday: Switches, saturday: Switches, holiday: Switches }),
  }),
  Type.Object({ kind: Type.Literal('read_registers') }),
]);
const Site = Type.Object({
  pod: Type.String(),
  meterSerial: Type.String(),
  concentratorId: Type.Union([Type.String(), Type.Null()]),
  contractPowerW: Type.Integer({ minimum: 0 }),
});
const CommandBody = Type.Object({
  commandId: Type.String({ minLength: 1, maxLength: 100 }),
  pod: Type.String({ minLength: 1, maxLength: 20 }),
  command: Command,
  site: Type.Optional(Site),
});
type CommandBody = Static<typeof CommandBody>;
const DailyReadBody = Type.Object({
  concentratorId: Type.String({ minLength: 1, maxLength: 64 }),
  day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  pods: Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 5_000 }),
  sites: Type.Array(Site, { maxItems: 5_000 }),
});
type DailyReadBody = Static<typeof DailyReadBody>;

export interface FieldNetworkServer {
  /** `http://host:port`, the base of every route. */
  url: string;
  simulator: FieldNetworkSimulator;
  /** The underlying Fastify instance (the Chain 2 power-line bridge shares its HTTP server). */
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface FieldNetworkServerOptions {
  host: string;
  port: number;
  /** Default `silent`. */
  logLevel?: string;
  /** Builds the network with the service's logger. */
  network: (logger: Logger) => FieldNetworkSimulator;
}

export async function startFieldNetworkServer(options: FieldNetworkServerOptions): Promise<FieldNetworkServer> {
  // Fastify logs method and URL, never bodies (a body may carry a DU key); the simulator logs POD, command id and kind.
  const app = Fastify({ logger: { level: options.logLevel ?? 'silent' }, bodyLimit: 1024 * 1024 });
  const simulator = options.network(app.log);

  app.post('/commands', { schema: { body: CommandBody } }, async (request) => {
    const body = request.body as CommandBody;
    const addressed: AddressedCommand = {
      commandId: body.commandId,
      pod: body.pod as Pod,
      command: body.command as MeterCommand,
    };
    return simulator.send(addressed, body.site && { ...body.site, pod: body.site.pod as Pod });
  });
  app.post('/daily-reads', { schema: { body: DailyReadBody } }, async (request) => {
    const body = request.body as DailyReadBody;
    return simulator.dailyRead(
      { concentratorId: body.concentratorId, day: body.day, pods: body.pods as Pod[] },
      body.sites.map((site) => ({ ...site, pod: site.pod as Pod })),
    );
  });
  app.get<{ Params: { pod: string } }>('/meters/:pod', async (request, reply) => {
    const state = simulator.meterState(request.params.pod as Pod);
    return (
      state ??
      reply
        .code(404)
        .send({ error: 'unknown_meter', message: `no meter with POD ${request.params.pod} on this field network` })
    );
  });
  app.put<{ Params: { pod: string }; Body: { reachable: boolean } }>(
    '/meters/:pod/reachable',
    {
      schema: { body: Type.Object({ reachable: Type.Boolean() }) },
    },
    async (request, reply) => {
      if (!simulator.meterState(request.params.pod as Pod)) {
        return reply
          .code(404)
          .send({ error: 'unknown_meter', message: `no meter with POD ${request.params.pod} on this field network` });
      }
      simulator.setReachable(request.params.pod as Pod, request.body.reachable);
      return reply.code(204).send();
    },
  );
  app.get('/concentrators', async () => simulator.concentrators());
  app.get('/counters', async () => simulator.counters());
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _request, reply) => {
    if (error.validation) return reply.code(400).send({ error: 'invalid_command', message: error.message });
    app.log.error({ err: error }, 'field network request failed');
    return reply
      .code(error.statusCode ?? 500)
      .send({ error: 'internal', message: 'the field network could not handle the command' });
  });

  const url = await app.listen({ host: options.host, port: options.port });
  return { url: url.replace('[::1]', '127.0.0.1'), simulator, app, close: () => app.close() };
}
