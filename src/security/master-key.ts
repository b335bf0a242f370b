import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';

/**
 * The embedded default: a random 256-bit key kept in `$DATA_DIR/master.key` (mode 0600), created on first start.
 * Lose it and every sealed DU key is lost with it: back it up with the data directory, never beside a dump.
 */
export async function loadOrCreateMasterKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, MASTER_KEY_FILE);
  try {
    return decodeMasterKey((await readFile(path, 'utf8')).trim(), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(path, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function decodeMasterKey(hex: string, source: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${source}: the master key must be 64 hex digits (256 bits)`);
  return Buffer.from(hex, 'hex');
}
