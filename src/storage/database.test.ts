import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMBEDDED_SHARED_BUFFERS_MB, openDatabase, type OpenDatabase } from './database.js';

describe('openDatabase: the embedded database on disk', () => {
  const parents: string[] = [];
  let open: OpenDatabase | undefined;
  afterEach(async () => {
    await open?.close();
    open = undefined;
    for (const parent of parents.splice(0)) rmSync(parent, { recursive: true, force: true });
  });
  const newParent = () => {
    const parent = mkdtempSync(join(tmpdir(), 'chain2-database-'));
    parents.push(parent);
    return parent;
  };
  /** WebAssembly memories this process creates meanwhile: one per PostgreSQL instance (initdb in PGlite 0.5 makes two more). */
  async function countingMemories<T>(work: () => Promise<T>): Promise<{ result: T; memories: number }> {
    // The project's TypeScript libraries declare WebAssembly's types only: reach the constructor through globalThis.
    type MemoryConstructor = new (descriptor: { initial: number; maximum?: number }) => object;
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: MemoryConstructor } }).WebAssembly;
    const Original = wasm.Memory;
    let memories = 0;
    wasm.Memory = class extends Original {
      constructor(descriptor: { initial: number; maximum?: number }) {
        super(descriptor);
        memories += 1;
      }
    };
    try {
      return { result: await work(), memories };
    } finally {
      wasm.Memory = Original;
    }
  }

  it("creates a new database in a child process, so this process runs one PostgreSQL, not initdb's two more", async () => {
    const dataDir = join(newParent(), 'db');
    const { result, memories } = await countingMemories(() => openDatabase({ kind: 'embedded', dataDir }));
    open = result;
    expect(memories).toBe(1);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(readdirSync(join(dataDir, '..'))).toEqual(['db', 'db.lock']);
  }, 60_000);

  it(`runs with shared_buffers of ${EMBEDDED_SHARED_BUFFERS_MB} MB (PGlite's 128 MB would all be resident), and again when reopened`, async () => {
    const dataDir = join(newParent(), 'db');
    for (let run = 0; run < 2; run++) {
      open = await openDatabase({ kind: 'embedded', dataDir });
      const { rows } = await open.pglite!.query<{ setting: string }>(
        "SELECT current_setting('shared_buffers') AS setting",
      );
      expect(rows[0]!.setting).toBe(`${EMBEDDED_SHARED_BUFFERS_MB}MB`);
      await open.close();
      open = undefined;
    }
  }, 60_000);

  it('removes what a killed process left half-created beside the data directory', async () => {
    const parent = newParent();
    const leftover = join(parent, 'db.creating-999999');
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'half-written'), 'x');
    open = await openDatabase({ kind: 'embedded', dataDir: join(parent, 'db') });
    expect(readdirSync(parent).sort()).toEqual(['db', 'db.lock']);
  }, 60_000);
});
