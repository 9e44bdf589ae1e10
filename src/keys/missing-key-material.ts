import { type Transit, TransitError } from '../transit/transit.ts';
import type { StoredCiphertexts } from './stored-ciphertexts.ts';

/**
 * Refuses to go on when stored values use a key, or a key version, the transit backend does not
 * have: creating the key afresh would leave those values undecryptable, and put new values under a
 * key that restoring the old one would break. Nothing is written before this check passes.
 */
export async function refuseMissingKeyMaterial(
  transit: Transit,
  keys: Iterable<string>,
  stores: ReadonlyMap<string, StoredCiphertexts>,
): Promise<void> {
  const missing: string[] = [];
  for (const key of keys) {
    const used = ((await stores.get(key)?.countByVersion()) ?? []).filter(({ count }) => count > 0);
    if (used.length === 0) continue;
    const stored = used.reduce((sum, { count }) => sum + count, 0);
    const latestVersion = await latestVersionOf(transit, key);
    const absent = used.filter(({ version }) => version > latestVersion).map(({ version }) => `v${version}`);
    if (latestVersion === 0) missing.push(`key "${key}" (${stored} stored values use it)`);
    else if (absent.length > 0) missing.push(`key "${key}" versions ${absent.join(', ')} (stored values use them)`);
  }
  if (missing.length === 0) return;
  const where = await transit.describe();
  throw new TransitError(
    'KEY_NOT_FOUND',
    `${where} lacks ${missing.join('; ')}; nothing was changed. Restore the keys from a backup${
      transit.kind === 'embedded' ? ' (transit/keyring.json with the master key it was written with)' : ''
    } and start again`,
  );
}

async function latestVersionOf(transit: Transit, key: string): Promise<number> {
  try {
    return (await transit.readKey(key)).latestVersion;
  } catch (error) {
    if (error instanceof TransitError && error.code === 'KEY_NOT_FOUND') return 0;
    throw error;
  }
}
