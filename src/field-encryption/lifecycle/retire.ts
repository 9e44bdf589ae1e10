import type { StoredValues } from '../storage/stored-values.ts';
import type { KeyInfo, Transit } from '../transit/transit.ts';

/** A retirement that would make stored values undecryptable, or that makes no sense for the key. */
export class RetireRefusedError extends Error {
  override name = 'RetireRefusedError';
}

/**
 * Raises the key's min_decryption_version to `version`, retiring every older version, but only
 * when no stored value is still encrypted under an older one. A key with no stored column declared
 * is refused: nothing could tell whether values under it still exist.
 */
export async function retireVersionsBelow(
  transit: Transit,
  stores: readonly StoredValues[],
  key: string,
  version: number,
): Promise<KeyInfo> {
  if (stores.length === 0) {
    throw new RetireRefusedError(
      `refusing to retire key ${key}: no stored column is declared for it (transitCiphertext in the drizzle schema), so nothing can tell whether values under it still exist`,
    );
  }
  const info = await transit.readKey(key);
  if (!Number.isInteger(version) || version < 1) {
    throw new RetireRefusedError(`version must be a positive integer, not ${version}`);
  }
  if (version > info.latestVersion) {
    throw new RetireRefusedError(
      `key ${key} has no version ${version} (latest is ${info.latestVersion}); refusing to retire it`,
    );
  }
  if (version < info.minDecryptionVersion) {
    throw new RetireRefusedError(
      `key ${key} already refuses versions below ${info.minDecryptionVersion}; retiring cannot lower it`,
    );
  }
  if (version === info.minDecryptionVersion) return info;
  let older = 0;
  for (const store of stores) older += await store.countBelow(version);
  if (older > 0) {
    const index = stores.some((store) => store.column.indexOf !== undefined);
    throw new RetireRefusedError(
      `refusing to retire versions below ${version} of key ${key}: ${older} stored ${index ? 'blind index value' : 'value'}${older === 1 ? ' is' : 's are'} older than v${version}; run \`npm run transit -- ${index ? 'reindex' : 'rewrap'} ${key}\` first`,
    );
  }
  return transit.configureKey(key, { minDecryptionVersion: version });
}
