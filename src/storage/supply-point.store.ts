import type { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MeterGeneration, SupplyPoint, VoltageLevel } from '../domain/eligibility.js';
import type { Pod } from '../domain/identifiers.js';
import type { Concentrator, SupplyPointStore } from '../services/ports.js';
import type { Database } from './schema.js';

const COPY_COLUMNS = 'pod, distributor_code, voltage_level, meter_generation, installed_in_mass_plan, meter_serial, contract_power_w, concentrator_id';
const CHUNK_CHARS = 1 << 20;

/** COPY text format: tab-separated, `\N` for null. Values never hold tabs or newlines (validated identifiers). */
function* copyLines(rows: Iterable<SupplyPoint>, counter: { rows: number }): Generator<string> {
  let chunk = '';
  for (const r of rows) {
    chunk += `${r.pod}\t${r.distributorCode}\t${r.voltageLevel}\t${r.meterGeneration}\t${r.installedInMassPlan ? 't' : 'f'}\t`
      + `${r.meterSerial}\t${r.contractPowerW}\t${r.concentratorId ?? '\\N'}\n`;
    counter.rows++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export class SqlSupplyPointStore implements SupplyPointStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly bulk: { pool: pg.Pool; pglite: PGlite | undefined },
  ) {}

  async findForEligibility(pod: Pod) {
    const row = await this.db
      .selectFrom('supply_points as sp')
      .selectAll('sp')
      .select(sql<boolean>`EXISTS (SELECT 1 FROM associations a WHERE a.pod = sp.pod AND a.status IN ('pending', 'active'))`.as('has_live_association'))
      .where('sp.pod', '=', pod)
      .executeTakeFirst();
    if (!row) return { supplyPoint: undefined, hasLiveAssociation: false };
    const supplyPoint: SupplyPoint = {
      pod: row.pod as Pod,
      distributorCode: row.distributor_code,
      voltageLevel: row.voltage_level as VoltageLevel,
      meterGeneration: row.meter_generation as MeterGeneration,
      installedInMassPlan: row.installed_in_mass_plan,
      meterSerial: row.meter_serial,
      contractPowerW: row.contract_power_w,
      concentratorId: row.concentrator_id,
    };
    return { supplyPoint, hasLiveAssociation: row.has_live_association };
  }

  /**
   * COPY, on its own connection and outside any transaction of the caller. PGlite's node-postgres adapter cannot
   * stream COPY FROM STDIN, so the embedded database reads the same text from a blob.
   */
  async importMany(rows: Iterable<SupplyPoint>): Promise<number> {
    const counter = { rows: 0 };
    const statement = `COPY supply_points (${COPY_COLUMNS}) FROM`;
    if (this.bulk.pglite) {
      const blob = new Blob([...copyLines(rows, counter)]);
      await this.bulk.pglite.query(`${statement} '/dev/blob'`, [], { blob });
      return counter.rows;
    }
    const client = await this.bulk.pool.connect();
    try {
      await pipeline(Readable.from(copyLines(rows, counter)), client.query(copyFrom(`${statement} STDIN`)));
    } finally {
      client.release();
    }
    return counter.rows;
  }

  async insertConcentrators(concentrators: readonly Concentrator[]): Promise<void> {
    for (let i = 0; i < concentrators.length; i += 1000) {
      await this.db.insertInto('concentrators')
        .values(concentrators.slice(i, i + 1000).map((c) => ({ concentrator_id: c.concentratorId, substation: c.substation })))
        .execute();
    }
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('supply_points').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
