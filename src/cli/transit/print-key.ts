import { type KeyInfo, type Transit, TransitError } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { printTable } from '../operator/program.ts';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const minEncryption = (key: KeyInfo) =>
  `${key.minEncryptionVersion}${key.minEncryptionVersion === 0 ? ' (latest)' : ''}`;

/** One key: its settings, what the schema uses it for, and each live version's creation time. */
export function printKey(io: Io, key: KeyInfo, use = 'not declared by this schema'): void {
  io.out(`key ${key.name} (${key.type})`);
  io.out(`  used for                ${use}`);
  io.out(
    `  derived                 ${yesNo(key.derived)}${key.derived ? ' (each value under a key derived from its record)' : ''}`,
  );
  io.out(`  exportable              ${yesNo(key.exportable)}`);
  io.out(`  latest version          ${key.latestVersion}`);
  io.out(`  min decryption version  ${key.minDecryptionVersion}`);
  io.out(`  min encryption version  ${minEncryption(key)}`);
  printTable(
    io,
    Object.entries(key.versions).map(([version, created]) => ({ version, created: created.toISOString() })),
  );
}

/** Every key the schema declares, one row each; resolves to 1 when one of them does not exist. */
export async function printKeys(io: Io, transit: Transit, uses: ReadonlyMap<string, string>): Promise<number> {
  const rows: Record<string, string | number>[] = [];
  const missing: string[] = [];
  for (const [name, use] of uses) {
    const key = await transit.readKey(name).catch((error: unknown) => {
      if (error instanceof TransitError && error.code === 'KEY_NOT_FOUND') return undefined;
      throw error;
    });
    if (key === undefined) missing.push(name);
    rows.push({
      key: name,
      type: key?.type ?? 'missing',
      'used for': use,
      derived: key === undefined ? '' : yesNo(key.derived),
      exportable: key === undefined ? '' : yesNo(key.exportable),
      latest: key?.latestVersion ?? '',
      'min decryption': key?.minDecryptionVersion ?? '',
      'min encryption': key === undefined ? '' : minEncryption(key),
    });
  }
  printTable(io, rows);
  if (missing.length === 0) return 0;
  io.err(`missing: ${missing.join(', ')}; run \`npm run transit -- setup\``);
  return 1;
}
