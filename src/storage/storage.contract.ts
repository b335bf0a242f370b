import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { Backend, ScratchDatabase } from '../../test/support/databases.js';
import { makeSupplyPoint, nextMac } from '../../test/support/platform.js';
import { Chain2Channel } from '../domain/association.js';
import type { MacAddress } from '../domain/identifiers.js';
import { RequestStatus } from '../domain/request.js';
import { hashToken } from '../services/access.service.js';
import type { NewAssociation, Storage } from '../services/ports/index.js';
import { migrate, openDatabase, type OpenDatabase } from './database.js';
import { collectionStoreContract } from './collection.store.contract.js';
import { kpiStoresContract } from './kpi-stores.contract.js';
import { sqlStorage } from './sql-storage.js';

/**
 * The storage contract: what services may rely on, whichever database runs underneath.
 * Run on the embedded database and on a PostgreSQL server by storage.contract.test.ts.
 */
export function storageContract(backend: Backend) {
  describe.skipIf(!backend.available)(`storage contract on ${backend.name}`, () => {
    let scratch: ScratchDatabase;
    let open: OpenDatabase;
    let storage: Storage;
    let assetProviderId: string;
    let representativeId: string;
    const at = new Date('2026-03-02T10:00:00Z');

    beforeAll(async () => {
      scratch = await backend.create();
      open = await openDatabase(scratch.target);
      await migrate(open.db);
      storage = sqlStorage(open);
      assetProviderId = uuidv7();
      representativeId = uuidv7();
      await storage.participants.insertAssetProvider(
        { assetProviderId, name: 'Contract AP', vatNumber: 'IT-C-1', status: 'active' },
        at,
      );
      await storage.participants.insertRepresentative(
        { representativeId, assetProviderId, email: 'rep1@contract.example', fullName: 'Rep One' },
        at,
      );
    });
    afterAll(async () => {
      await open?.close();
      await scratch?.drop();
    });

    function newAssociation(pod: string, mac = nextMac()): NewAssociation {
      return {
        associationId: uuidv7(),
        assetProviderId,
        pod: pod as NewAssociation['pod'],
        channel: Chain2Channel.plcBandC,
        du: { name: 'DU', macAddress: mac as MacAddress, hardwareVersion: 'h', softwareVersion: 's' },
        sealedKey: new Uint8Array([1, 2, 3]),
        keyLast4: 'ABCD',
        at,
      };
    }

    it('is migrated idempotently: a second migrate applies nothing', async () => {
      expect(await migrate(open.db)).toEqual([]);
    });

    it('bulk-loads supply points with COPY and finds them back field by field', async () => {
      const rows = Array.from({ length: 2500 }, () => makeSupplyPoint());
      rows[7] = {
        ...rows[7]!,
        voltageLevel: 'medium',
        meterGeneration: 1,
        installedInMassPlan: false,
        contractPowerW: 100_000,
      };
      const before = await storage.supplyPoints.count();
      expect(await storage.supplyPoints.importMany(rows)).toBe(2500);
      expect(await storage.supplyPoints.count()).toBe(before + 2500);
      expect(await storage.supplyPoints.findForEligibility(rows[7]!.pod)).toEqual({
        supplyPoint: rows[7],
        hasLiveAssociation: false,
      });
    });

    it('answers concurrent lookups (batched into one query) each with its own supply point', async () => {
      const rows = Array.from({ length: 5 }, (_, i) => makeSupplyPoint({ contractPowerW: 1000 + i }));
      await storage.supplyPoints.importMany(rows);
      await storage.associations.insert(newAssociation(rows[2]!.pod));
      const unknown = makeSupplyPoint().pod;
      const asked = [rows[0]!.pod, unknown, rows[2]!.pod, rows[0]!.pod, rows[4]!.pod];
      const answers = await Promise.all(asked.map((pod) => storage.supplyPoints.findForEligibility(pod)));
      expect(answers.map((a) => [a.supplyPoint?.pod, a.supplyPoint?.contractPowerW, a.hasLiveAssociation])).toEqual([
        [rows[0]!.pod, 1000, false],
        [undefined, undefined, false],
        [rows[2]!.pod, 1002, true],
        [rows[0]!.pod, 1000, false],
        [rows[4]!.pod, 1004, false],
      ]);
      const inTransaction = await storage.transaction((tx) => tx.supplyPoints.findForEligibility(rows[2]!.pod));
      expect(inTransaction.hasLiveAssociation).toBe(true);
    });

    it('refuses a bulk load that repeats a POD, loading none of it', async () => {
      const sp = makeSupplyPoint();
      const before = await storage.supplyPoints.count();
      await expect(storage.supplyPoints.importMany([sp, makeSupplyPoint(), sp])).rejects.toThrow();
      expect(await storage.supplyPoints.count()).toBe(before);
    });

    it('lets exactly one of two concurrent associations of one POD through (already_associated)', async () => {
      const sp = makeSupplyPoint();
      await storage.supplyPoints.importMany([sp]);
      const results = await Promise.allSettled(
        [0, 1].map(() => storage.transaction((tx) => tx.associations.insert(newAssociation(sp.pod)))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'already_associated' } });
      expect((await storage.supplyPoints.findForEligibility(sp.pod)).hasLiveAssociation).toBe(true);
    });

    it('refuses a MAC address held by a live association, and frees both when it ends', async () => {
      const [a, b] = [makeSupplyPoint(), makeSupplyPoint()];
      await storage.supplyPoints.importMany([a, b]);
      const first = newAssociation(a.pod);
      await storage.associations.insert(first);
      await expect(storage.associations.insert(newAssociation(b.pod, first.du.macAddress))).rejects.toMatchObject({
        code: 'mac_in_use',
      });
      expect(await storage.associations.isMacLive(first.du.macAddress)).toBe(true);
      expect(await storage.associations.isMacLive(first.du.macAddress, first.associationId)).toBe(false);
      await storage.associations.setStatus(first.associationId, 'rejected', at);
      await storage.associations.insert(newAssociation(b.pod, first.du.macAddress));
      await storage.associations.insert(newAssociation(a.pod));
    });

    it('keeps the sealed key out of every read', async () => {
      const sp = makeSupplyPoint();
      await storage.supplyPoints.importMany([sp]);
      const created = newAssociation(sp.pod);
      await storage.associations.insert(created);
      const found = await storage.associations.find(created.associationId);
      expect(found).toMatchObject({ status: 'pending', du: { keyLast4: 'ABCD' } });
      expect(JSON.stringify(found)).not.toContain('sealed');
    });

    it('records request transitions in order and claims each submitted request once across concurrent claimers', async () => {
      const sp = makeSupplyPoint();
      await storage.supplyPoints.importMany([sp]);
      const association = newAssociation(sp.pod);
      await storage.associations.insert(association);
      const ids = [uuidv7(), uuidv7(), uuidv7()];
      for (const requestId of ids) {
        await storage.requests.insert({
          requestId,
          assetProviderId,
          associationId: association.associationId,
          representativeId,
          pod: sp.pod,
          kind: 'create',
          at,
        });
      }
      expect(await storage.requests.hasOpenForAssociation(association.associationId)).toBe(true);
      const claimed = await Promise.all(
        [0, 1].map(() =>
          storage.transaction(async (tx) => {
            const mine = await tx.requests.claim(RequestStatus.submitted, 2);
            for (const id of mine) await tx.requests.setStatus(id, { status: 'queued', reason: null, at }, false);
            await new Promise((r) => setTimeout(r, 20));
            return mine.filter((id) => ids.includes(id));
          }),
        ),
      );
      expect(claimed.flat().sort()).toEqual([...ids].sort());
      await storage.transaction(async (tx) => {
        await tx.requests.findForUpdate(ids[0]!);
        await tx.requests.setStatus(
          ids[0]!,
          { status: 'failed', reason: 'meter_unreachable', at: new Date(at.getTime() + 1000) },
          true,
        );
      });
      expect((await storage.requests.history(ids[0]!)).map((t) => [t.status, t.reason])).toEqual([
        ['submitted', null],
        ['queued', null],
        ['failed', 'meter_unreachable'],
      ]);
      expect(await storage.requests.findOwned(assetProviderId, ids[0]!)).toMatchObject({
        status: 'failed',
        closedAt: new Date(at.getTime() + 1000),
      });
      expect(await storage.requests.findOwned(uuidv7(), ids[0]!)).toBeUndefined();
    });

    it("stores a modification's new key sealed and gives it back only to the workflow", async () => {
      const sp = makeSupplyPoint();
      await storage.supplyPoints.importMany([sp]);
      const association = newAssociation(sp.pod);
      await storage.associations.insert(association);
      const requestId = uuidv7();
      const mac = nextMac() as MacAddress;
      await storage.requests.insert({
        requestId,
        assetProviderId,
        associationId: association.associationId,
        representativeId,
        pod: sp.pod,
        kind: 'modify',
        changes: { name: 'New', macAddress: mac, sealedKey: new Uint8Array([9, 9]), keyLast4: '9999' },
        at,
      });
      const forUpdate = await storage.transaction((tx) => tx.requests.findForUpdate(requestId));
      expect(forUpdate?.changes).toEqual({
        name: 'New',
        macAddress: mac,
        sealedKey: expect.any(Uint8Array),
        keyLast4: '9999',
      });
      expect([...forUpdate!.changes!.sealedKey!]).toEqual([9, 9]);
    });

    it('gives a representative seat to at most three per asset provider', async () => {
      const apId = uuidv7();
      await storage.participants.insertAssetProvider(
        { assetProviderId: apId, name: 'Seats AP', vatNumber: 'IT-SEATS', status: 'active' },
        at,
      );
      for (let i = 1; i <= 3; i++) {
        await storage.participants.insertRepresentative(
          { representativeId: uuidv7(), assetProviderId: apId, email: `s${i}@seats.example`, fullName: `S${i}` },
          at,
        );
      }
      await expect(
        storage.participants.insertRepresentative(
          { representativeId: uuidv7(), assetProviderId: apId, email: 's4@seats.example', fullName: 'S4' },
          at,
        ),
      ).rejects.toMatchObject({ code: 'too_many_representatives' });
      expect(await storage.participants.listRepresentatives(apId)).toHaveLength(3);
    });

    it('finds a caller by token hash until the token is revoked', async () => {
      await storage.tokens.insert(
        { tokenId: uuidv7(), holder: { representativeId }, tokenHash: hashToken('c2_contract'), label: 'cli' },
        at,
      );
      expect(await storage.tokens.findCaller(hashToken('c2_contract'))).toEqual({
        role: 'asset_provider',
        representativeId,
        assetProviderId,
        assetProviderStatus: 'active',
      });
      await storage.tokens.revokeLabelled({ representativeId }, 'cli', at);
      expect(await storage.tokens.findCaller(hashToken('c2_contract'))).toBeUndefined();
    });

    it('holds DSO operators with tokens of their own', async () => {
      const operatorId = uuidv7();
      await storage.participants.insertOperator({ operatorId, email: 'op@dso.example', fullName: 'Op' }, at);
      await expect(
        storage.participants.insertOperator({ operatorId: uuidv7(), email: 'op@dso.example', fullName: 'Twin' }, at),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect(await storage.participants.listOperators()).toContainEqual({
        operatorId,
        email: 'op@dso.example',
        fullName: 'Op',
      });
      await storage.tokens.insert(
        { tokenId: uuidv7(), holder: { operatorId }, tokenHash: hashToken('c2_operator'), label: 'cli' },
        at,
      );
      expect(await storage.tokens.findCaller(hashToken('c2_operator'))).toEqual({ role: 'dso_operator', operatorId });
      await storage.tokens.revokeLabelled({ operatorId }, 'cli', at);
      expect(await storage.tokens.findCaller(hashToken('c2_operator'))).toBeUndefined();
    });

    it('reserves an idempotency key once, and again only after the window', async () => {
      const since = new Date(at.getTime() - 1000);
      expect(await storage.idempotency.reserve('s', 'k', 'f1', at, since)).toBe(true);
      expect(await storage.idempotency.reserve('s', 'k', 'f2', at, since)).toBe(false);
      await storage.idempotency.complete('s', 'k', { statusCode: 202, body: '{"a":1}' });
      expect(await storage.idempotency.find('s', 'k')).toEqual({
        fingerprint: 'f1',
        response: { statusCode: 202, body: '{"a":1}' },
      });
      const later = new Date(at.getTime() + 5000);
      expect(await storage.idempotency.reserve('s', 'k', 'f3', later, new Date(later.getTime() - 1000))).toBe(true);
      expect(await storage.idempotency.find('s', 'k')).toEqual({ fingerprint: 'f3', response: null });
    });

    kpiStoresContract(() => ({ storage, assetProviderId }));
    collectionStoreContract(() => ({ storage, assetProviderId }));
  });
}
