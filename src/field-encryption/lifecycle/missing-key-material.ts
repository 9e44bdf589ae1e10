import { type Transit, TransitError } from '../transit/transit.ts';
import type { KeyAdmin } from './key-admin.ts';

/**
 * Refuses to go on when stored values use a key, or a key version, the transit backend does not
 * have: creating the key afresh would leave those values undecryptable, and put new values under a
 * key that restoring the old one would break. Nothing is written before this check passes.
 */
export async function refuseMissingKeyMaterial(transit: Transit, keyAdmin: KeyAdmin): Promise<void> {
  const missing: string[] = [];
  for (const key of keyAdmin.keys) {
    const used: { version: number; count: number }[] = [];
    for (const store of keyAdmin.stores(key)) used.push(...(await store.countByVersion()));
    const inUse = used.filter(({ count }) => count > 0);
    if (inUse.length === 0) continue;
    const stored = inUse.reduce((sum, { count }) => sum + count, 0);
    const latestVersion = await latestVersionOf(transit, key);
    const absent = [...new Set(inUse.filter(({ version }) => version > latestVersion).map(({ version }) => version))]
      .sort((a, b) => a - b)
      .map((version) => `v${version}`);
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
