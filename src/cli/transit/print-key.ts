import type { KeyInfo } from '../../field-encryption/index.ts';

export function printKey(key: KeyInfo): void {
  console.log(`key ${key.name} (${key.type})`);
  console.log(`  latest version          ${key.latestVersion}`);
  console.log(`  min decryption version  ${key.minDecryptionVersion}`);
  console.log(
    `  min encryption version  ${key.minEncryptionVersion} ${key.minEncryptionVersion === 0 ? '(latest)' : ''}`,
  );
  console.table(
    Object.entries(key.versions).map(([version, created]) => ({
      version: Number(version),
      created: created.toISOString(),
    })),
  );
}
