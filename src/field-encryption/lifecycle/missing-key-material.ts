import type { VersionCount } from '../storage/stored-values.ts';
import { type KeyInfo, type Transit, TransitError } from '../transit/transit.ts';
import type { KeyAdmin } from './key-admin.ts';

/** Values stored outside the declared columns that a key's versions must still verify or decrypt. */
export interface OtherKeyUse {
  key: string;
  /** What the values are, for the refusal: "sealed reveal records". */
  what: string;
  countByVersion(): Promise<VersionCount[]>;
}

/**
 * Refuses to go on when stored values use a key, or a key version, the transit backend does not
 * have: creating the key afresh would leave those values undecryptable (or their seals unverifiable),
 * and put new values under a key that restoring the old one would break. Every version in use is
 * checked against the versions the backend holds, not only against the latest. A version below the
 * key's min_decryption_version is retired, not missing (the backend need not list it). Nothing is
 * written before this check passes.
 */
export async function refuseMissingKeyMaterial(
  transit: Transit,
  keyAdmin: KeyAdmin,
  others: readonly OtherKeyUse[] = [],
): Promise<void> {
  const uses = new Map<string, { what: string; used: VersionCount[] }>();
  for (const key of keyAdmin.keys) {
    const used: VersionCount[] = [];
    for (const store of keyAdmin.stores(key)) used.push(...(await store.countByVersion()));
    uses.set(key, { what: 'stored values', used });
  }
  for (const other of others) uses.set(other.key, { what: other.what, used: await other.countByVersion() });

  const missing: string[] = [];
  /** Versions newer than the backend's latest: the keys are older than the data (not lost). */
  const ahead: string[] = [];
  for (const [key, { what, used }] of uses) {
    const inUse = used.filter(({ count }) => count > 0);
    if (inUse.length === 0) continue;
    const stored = inUse.reduce((sum, { count }) => sum + count, 0);
    const info = await keyInfoOf(transit, key);
    if (info === undefined || info.latestVersion === 0) {
      missing.push(`key "${key}" (${stored} ${what} use it)`);
      continue;
    }
    const absent = [...new Set(inUse.map(({ version }) => version))]
      .filter((version) => !holds(info, version))
      .sort((a, b) => a - b);
    if (absent.length === 0) continue;
    missing.push(`key "${key}" versions ${absent.map((version) => `v${version}`).join(', ')} (${what} use them)`);
    if (absent.every((version) => version > info.latestVersion)) {
      ahead.push(`"${key}" v${absent.at(-1)} values but the key's latest version is v${info.latestVersion}`);
    }
  }
  if (missing.length === 0) return;
  const where = await transit.describe();
  if (ahead.length === missing.length) {
    throw new TransitError('KEY_NOT_FOUND', olderKeysThanData(where, transit.kind, missing, ahead));
  }
  throw new TransitError(
    'KEY_NOT_FOUND',
    `${where} lacks ${missing.join('; ')}; nothing was changed. Restore the keys from a backup${
      transit.kind === 'embedded' ? ' (transit/keyring.json with the master key it was written with)' : ''
    } and start again`,
  );
}

/** Whether the key still has `version`: retired versions count as held (retiring is not losing). */
function holds(info: KeyInfo, version: number): boolean {
  if (version > info.latestVersion) return false;
  if (version < info.minDecryptionVersion) return true;
  return info.versions[version] !== undefined;
}

async function keyInfoOf(transit: Transit, key: string): Promise<KeyInfo | undefined> {
  try {
    return await transit.readKey(key);
  } catch (error) {
    if (error instanceof TransitError && error.code === 'KEY_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Every missing version is newer than the backend's latest: nothing was lost, the keys were restored
 * from a point before the database's (an OpenBao snapshot, or a keyring, older than the database).
 */
function olderKeysThanData(where: string, kind: Transit['kind'], missing: string[], ahead: string[]): string {
  const older =
    kind === 'embedded' ? 'a keyring older than the database' : 'an OpenBao snapshot older than the database';
  const backup =
    kind === 'embedded'
      ? 'transit/keyring.json, with the master key it was written with'
      : 'an OpenBao raft snapshot, restored with snapshot-force';
  return `MISMATCHED RESTORE: the database holds ${ahead.join('; ')}: ${where} lacks ${missing.join('; ')}, so ${older} was restored. Nothing was changed. Restore the keys from a backup taken after the database backup (${backup}) and start again`;
}
