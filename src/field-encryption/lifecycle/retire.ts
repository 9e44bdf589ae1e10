import type { KeyInfo, Transit } from '../transit/transit.ts';
import type { StoredCiphertexts } from './stored-ciphertexts.ts';

/** A retirement that would make stored values undecryptable, or that makes no sense for the key. */
export class RetireRefusedError extends Error {
  override name = 'RetireRefusedError';
}

/**
 * Raises the key's min_decryption_version to `version`, retiring every older version, but only
 * when no stored value is still encrypted under an older one.
 */
export async function retireVersionsBelow(
  transit: Transit,
  store: StoredCiphertexts | undefined,
  key: string,
  version: number,
): Promise<KeyInfo> {
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
  const older = (await store?.countBelow(version)) ?? 0;
  if (older > 0) {
    throw new RetireRefusedError(
      `refusing to retire versions below ${version} of key ${key}: ${older} stored value${older === 1 ? ' is' : 's are'} older than v${version}; run \`npm run transit -- rewrap ${key}\` first`,
    );
  }
  return transit.configureKey(key, { minDecryptionVersion: version });
}
