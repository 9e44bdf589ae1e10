import { badUserInput } from '../../graphql/errors.ts';
import type { KeyInfo, Transit } from '../transit/transit.ts';
import { type RewrapSummary, rewrapStoredValues } from './rewrap.ts';
import type { StoredCiphertexts, VersionCount } from './stored-ciphertexts.ts';

/** Key management limited to the keys the schema encrypts with. */
export class KeyAdmin {
  constructor(
    private readonly transit: Transit,
    readonly keys: ReadonlySet<string>,
    private readonly stores: ReadonlyMap<string, StoredCiphertexts>,
  ) {}

  info(name: string): Promise<KeyInfo> {
    return this.transit.readKey(this.known(name));
  }

  rotate(name: string): Promise<KeyInfo> {
    return this.transit.rotateKey(this.known(name));
  }

  /** How many stored values use each live version of the key (versions in use but retired included). */
  async versions(name: string): Promise<VersionCount[]> {
    const key = await this.transit.readKey(this.known(name));
    const counts = new Map<number, number>();
    for (let version = key.minDecryptionVersion; version <= key.latestVersion; version += 1) counts.set(version, 0);
    for (const { version, count } of (await this.stores.get(name)?.countByVersion()) ?? []) {
      counts.set(version, count);
    }
    return [...counts].map(([version, count]) => ({ version, count })).sort((a, b) => a.version - b.version);
  }

  async rewrap(name: string): Promise<RewrapSummary> {
    const key = this.known(name);
    const store = this.stores.get(key);
    if (store === undefined) {
      const { latestVersion } = await this.transit.readKey(key);
      return { key, latestVersion, total: 0, rewrapped: 0, skipped: 0, failed: 0, seconds: 0 };
    }
    return rewrapStoredValues(this.transit, store, key);
  }

  private known(name: string): string {
    if (!this.keys.has(name))
      throw badUserInput(`unknown key "${name}"; this schema uses: ${[...this.keys].join(', ')}`);
    return name;
  }
}
