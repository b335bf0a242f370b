import { afterEach, describe, expect, it } from 'vitest';
import { dayFileIssues } from '../domain/day-file.js';
import type { DuKey, MacAddress, Pod } from '../domain/identifiers.js';
import type { HeadEnd } from '../services/ports/index.js';

/** What a `HeadEnd` implementation must give the contract: a head-end, one reachable meter's POD, one unknown POD. */
export interface HeadEndFixture {
  headEnd: HeadEnd;
  /** A meter that answers, connected, with available power ≥ 1,000 W allowed and 10 × contract power refused. */
  pod: Pod;
  contractPowerW: number;
  unknownPod: Pod;
  /** The concentrator of `pod`. */
  concentratorId: string;
  /** A day over on the meters' clock that the meter of `pod` lived through whole (Europe/Rome, YYYY-MM-DD). */
  finishedDay: string;
  /** A day not over yet on the meters' clock. */
  unfinishedDay: string;
  close(): Promise<void>;
}

const MAC = 'DC0A1B2C3D4E' as MacAddress;
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;

/**
 * One suite for every head-end (STYLE.md: one contract per seam): the field-network simulator now, a real
 * head-end adapter later. It checks only what services may rely on through the `HeadEnd` port.
 */
export function headEndContract(name: string, open: () => Promise<HeadEndFixture>): void {
  describe(`HeadEnd contract: ${name}`, () => {
    const opened: HeadEndFixture[] = [];
    afterEach(async () => {
      for (const fixture of opened.splice(0)) await fixture.close();
    });
    async function fixture(): Promise<HeadEndFixture> {
      const f = await open();
      opened.push(f);
      return f;
    }
    let sequence = 0;
    const commandId = () => `contract-${Date.now()}-${++sequence}`;

    it('resolves an unknown POD as failed unknown_meter, without rejecting', async () => {
      const { headEnd, unknownPod } = await fixture();
      const outcome = await headEnd.send({ commandId: commandId(), pod: unknownPod, command: { kind: 'connect' } });
      expect(outcome).toMatchObject({ status: 'failed', reason: 'unknown_meter' });
      expect(outcome.completedAt).toBeInstanceOf(Date);
    });

    it('acknowledges program_chain2 and clear_chain2 with done after at least one attempt', async () => {
      const { headEnd, pod } = await fixture();
      const programmed = await headEnd.send({
        commandId: commandId(),
        pod,
        command: { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY },
      });
      expect(programmed).toMatchObject({ status: 'done' });
      expect(programmed.attempts).toBeGreaterThanOrEqual(1);
      expect(await headEnd.send({ commandId: commandId(), pod, command: { kind: 'clear_chain2' } })).toMatchObject({
        status: 'done',
      });
    });

    it('acknowledges a repeated command id again', async () => {
      const { headEnd, pod } = await fixture();
      const command = { commandId: commandId(), pod, command: { kind: 'disconnect' as const } };
      expect(await headEnd.send(command)).toMatchObject({ status: 'done' });
      expect(await headEnd.send(command)).toMatchObject({ status: 'done' });
    });

    it('returns registers on read_registers', async () => {
      const { headEnd, pod } = await fixture();
      const outcome = await headEnd.send({ commandId: commandId(), pod, command: { kind: 'read_registers' } });
      expect(outcome).toMatchObject({ status: 'done', registers: { importEnergyByBandWh: expect.any(Array) } });
      if (outcome.status !== 'done' || !outcome.registers) throw new Error('no registers');
      expect(outcome.registers.importEnergyByBandWh).toHaveLength(6);
      expect(outcome.registers.importEnergyWh).toBeGreaterThanOrEqual(0);
    });

    it('reports an available power the meter refuses as rejected_by_meter', async () => {
      const { headEnd, pod, contractPowerW } = await fixture();
      const refused = await headEnd.send({
        commandId: commandId(),
        pod,
        command: { kind: 'set_available_power', availablePowerW: 10 * contractPowerW },
      });
      expect(refused).toMatchObject({ status: 'failed', reason: 'rejected_by_meter' });
    });

    it("reads a finished day: the meter's whole day file, an unknown meter missing, link time spent", async () => {
      const { headEnd, pod, unknownPod, concentratorId, finishedDay } = await fixture();
      const read = await headEnd.dailyRead({ concentratorId, day: finishedDay, pods: [pod, unknownPod] });
      expect(read).toMatchObject({ concentratorId, day: finishedDay });
      expect(read.files.map((f) => [f.pod, f.day, f.concentratorId])).toEqual([[pod, finishedDay, concentratorId]]);
      expect(dayFileIssues(read.files[0]!)).toEqual([]);
      expect(read.files[0]!.channels.activeImportWh.reduce((sum, wh) => sum + wh, 0)).toBeGreaterThan(0);
      expect(read.missing).toEqual([{ pod: unknownPod, reason: 'unknown_meter' }]);
      expect(read.linkSeconds).toBeGreaterThan(0);
    });

    it('answers day_not_over for every meter of a day still running, without rejecting', async () => {
      const { headEnd, pod, concentratorId, unfinishedDay } = await fixture();
      const read = await headEnd.dailyRead({ concentratorId, day: unfinishedDay, pods: [pod] });
      expect(read.files).toEqual([]);
      expect(read.missing).toEqual([{ pod, reason: 'day_not_over' }]);
    });

    it('gives the same day file when a day is read twice', async () => {
      const { headEnd, pod, concentratorId, finishedDay } = await fixture();
      const first = await headEnd.dailyRead({ concentratorId, day: finishedDay, pods: [pod] });
      const second = await headEnd.dailyRead({ concentratorId, day: finishedDay, pods: [pod] });
      expect(second.files).toEqual(first.files);
    });
  });
}
