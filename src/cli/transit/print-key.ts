import type { KeyInfo } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { printTable } from '../operator/program.ts';

export function printKey(io: Io, key: KeyInfo): void {
  io.out(`key ${key.name} (${key.type})`);
  io.out(`  latest version          ${key.latestVersion}`);
  io.out(`  min decryption version  ${key.minDecryptionVersion}`);
  io.out(`  min encryption version  ${key.minEncryptionVersion}${key.minEncryptionVersion === 0 ? ' (latest)' : ''}`);
  printTable(
    io,
    Object.entries(key.versions).map(([version, created]) => ({ version, created: created.toISOString() })),
  );
}
