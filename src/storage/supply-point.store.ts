import type { PGlite } from '@electric-sql/pglite';
import DataLoader from 'dataloader';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MeterGeneration, SupplyPoint, VoltageLevel } from '../domain/eligibility.js';
import type { Pod } from '../domain/identifiers.js';
import type { Concentrator, SupplyPointStore } from '../services/ports/index.js';
import type { Database, SupplyPointsTable } from './schema.js';

const COPY_COLUMNS =
  'pod, distributor_code, voltage_level, meter_generation, installed_in_mass_plan, meter_serial, contract_power_w, concentrator_id';
const CHUNK_CHARS = 1 << 20;

/** COPY text format: tab-separated, `\N` for null. Values never hold tabs or newlines (validated identifiers). */
function* copyLines(rows: Iterable<SupplyPoint>, counter: { rows: number }): Generator<string> {
  let chunk = '';
  for (const r of rows) {
    chunk +=
      `${r.pod}\t${r.distributorCode}\t${r.voltageLevel}\t${r.meterGeneration}\t${r.installedInMassPlan ? 't' : 'f'}\t` +
      `${r.meterSerial}\t${r.contractPowerW}\t${r.concentratorId ?? '\\N'}\n`;
    counter.rows++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

type EligibilityRow = Awaited<ReturnType<SupplyPointStore['findForEligibility']>>;

export function toSupplyPoint(row: SupplyPointsTable): SupplyPoint {
  return {
    pod: row.pod as Pod,
    distributorCode: row.distributor_code,
    voltageLevel: row.voltage_level as VoltageLevel,
    meterGeneration: row.meter_generation as MeterGeneration,
    installedInMassPlan: row.installed_in_mass_plan,
    meterSerial: row.meter_serial,
    contractPowerW: row.contract_power_w,
    concentratorId: row.concentrator_id,
  };
}

function toEligibilityRow(row: SupplyPointsTable & { has_live_association: boolean }): EligibilityRow {
  return { supplyPoint: toSupplyPoint(row), hasLiveAssociation: row.has_live_association };
}
const NOT_FOUND: EligibilityRow = { supplyPoint: undefined, hasLiveAssociation: false };

export class SqlSupplyPointStore implements SupplyPointStore {
  /**
   * Outside a transaction, lookups that arrive in the same turn of the event loop go to the database as one
   * `pod = ANY($1)` query: under load one round trip serves several HTTP requests (see README, Performance).
   */
  private readonly batch: DataLoader<Pod, EligibilityRow> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bulk: { pool: pg.Pool; pglite: PGlite | undefined },
    options: { batchLookups: boolean },
  ) {
    this.batch = options.batchLookups
      ? new DataLoader((pods) => this.lookup(pods), {
          cache: false,
          maxBatchSize: 256,
          batchScheduleFn: (run) => setImmediate(run),
        })
      : undefined;
  }

  async findForEligibility(pod: Pod): Promise<EligibilityRow> {
    return this.batch ? this.batch.load(pod) : (await this.lookup([pod]))[0]!;
  }

  async findManyForEligibility(pods: readonly Pod[]): Promise<EligibilityRow[]> {
    const answers: EligibilityRow[] = [];
    for (let i = 0; i < pods.length; i += 5000) answers.push(...(await this.lookup(pods.slice(i, i + 5000))));
    return answers;
  }

  private async lookup(pods: readonly Pod[]): Promise<EligibilityRow[]> {
    const rows = await this.db
      .selectFrom('supply_points as sp')
      .selectAll('sp')
      .select(
        sql<boolean>`EXISTS (SELECT 1 FROM associations a WHERE a.pod = sp.pod AND a.status IN ('pending', 'active'))`.as(
          'has_live_association',
        ),
      )
      .where('sp.pod', '=', sql<string>`ANY(${[...pods]}::text[])`)
      .execute();
    const byPod = new Map(rows.map((row) => [row.pod, toEligibilityRow(row)]));
    return pods.map((pod) => byPod.get(pod) ?? NOT_FOUND);
  }

  /**
   * COPY, on its own connection and outside any transaction of the caller. PGlite's node-postgres adapter cannot
   * stream COPY FROM STDIN, so the embedded database reads the same text from a blob.
   */
  async importMany(rows: Iterable<SupplyPoint>): Promise<number> {
    const counter = { rows: 0 };
    const statement = `COPY supply_points (${COPY_COLUMNS}) FROM`;
    const client = await this.bulk.pool.connect();
    try {
      if (this.bulk.pglite) {
        // PGlite is one session behind a pool of one connection: the COPY goes to PGlite directly (its adapter cannot
        // stream COPY) while this code holds that connection, so no transaction of the pool interleaves with it.
        await this.bulk.pglite.query(`${statement} '/dev/blob'`, [], { blob: new Blob([...copyLines(rows, counter)]) });
      } else {
        await pipeline(Readable.from(copyLines(rows, counter)), client.query(copyFrom(`${statement} STDIN`)));
      }
    } finally {
      client.release();
    }
    return counter.rows;
  }

  async insertConcentrators(concentrators: readonly Concentrator[]): Promise<void> {
    for (let i = 0; i < concentrators.length; i += 1000) {
      await this.db
        .insertInto('concentrators')
        .values(
          concentrators
            .slice(i, i + 1000)
            .map((c) => ({ concentrator_id: c.concentratorId, substation: c.substation })),
        )
        .execute();
    }
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('supply_points')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
