import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The licences of every package the platform runs with (production dependencies and theirs, from package-lock.json:
 * what `npm ci --omit=dev` installs), and which of them would not fit an Apache-2.0 project.
 * `npm run licenses` prints them and fails on a copyleft or unknown licence.
 */
export interface PackageLicence {
  name: string;
  version: string;
  licence: string;
}

/** Licences whose terms Apache-2.0 software may include and redistribute (SPDX ids). */
const PERMISSIVE = new Set([
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Unlicense',
  'Python-2.0',
]);

interface LockFile {
  packages: Record<string, { version?: string; license?: string; dev?: boolean; devOptional?: boolean }>;
}

export function runtimeLicences(root: string): PackageLicence[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as LockFile;
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional)
    .map(([path, entry]) => ({
      name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version ?? '?',
      licence: entry.license ?? 'UNKNOWN',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** An SPDX expression fits when some choice of its `OR` alternatives is all permissive (`(MIT OR CC0-1.0)`). */
export function isCompatible(expression: string): boolean {
  return expression
    .replace(/[()]/g, '')
    .split(/\s+OR\s+/)
    .some((choice) => choice.split(/\s+AND\s+/).every((id) => PERMISSIVE.has(id.trim())));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const licences = runtimeLicences(join(import.meta.dirname, '..'));
  const counts = new Map<string, number>();
  for (const p of licences) counts.set(p.licence, (counts.get(p.licence) ?? 0) + 1);
  for (const [licence, count] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(`${String(count).padStart(4)}  ${licence}`);
  const refused = licences.filter((p) => !isCompatible(p.licence));
  for (const p of refused) console.error(`not compatible with Apache-2.0: ${p.name}@${p.version} (${p.licence})`);
  console.log(`${licences.length} runtime packages, ${refused.length} with a licence that does not fit Apache-2.0`);
  process.exitCode = refused.length > 0 ? 1 : 0;
}
