import type { BlindIndexDeclaration } from '../directives/blind-index.ts';
import type { TransitBatcher } from './batcher.ts';

/** A value's keyed blind index: what to store, and what stored values it may match. */
export interface BlindIndex {
  /** The HMAC under the key's latest version: what a new record stores. */
  latest: string;
  /** The HMAC under every live version, latest included: a stored value equal to any of them is the same value. */
  candidates: string[];
  /** Set on indexes `@blindIndex` computed: the field (`Type.field` or `Type.field.argument`) and its declaration. */
  declaredAt?: BlindIndexDeclaration & { field: string };
}

/**
 * The HMAC of `value` under every live version of `key` (min_decryption_version to latest), all
 * asked in the same tick: one readKey, then one batch call per live version (shared with every other
 * value asked in that tick). After a rotation, stored values not yet reindexed still match.
 */
export async function blindIndexOf(
  cipher: Pick<TransitBatcher, 'hmac' | 'keyInfo'>,
  key: string,
  value: string,
): Promise<BlindIndex> {
  const info = await cipher.keyInfo(key);
  const versions: number[] = [];
  for (let version = info.latestVersion; version >= Math.max(1, info.minDecryptionVersion); version -= 1) {
    versions.push(version);
  }
  const candidates = await Promise.all(
    versions.map((version) =>
      cipher.hmac(key, value, version).catch(async (error: unknown) => {
        // Retired since the key was read: no stored value uses that version any more (retire checks).
        if (version < info.latestVersion && (await cipher.keyInfo(key)).minDecryptionVersion > version)
          return undefined;
        throw error;
      }),
    ),
  );
  const [latest] = candidates;
  if (latest === undefined) throw new Error(`key ${key} has no live version`);
  return { latest, candidates: candidates.filter((candidate) => candidate !== undefined) };
}
