import { fieldEncryptionError } from '../errors.ts';
import { BlindIndexValues } from '../storage/blind-index-values.ts';
import type { StoredColumnRegistry } from '../storage/stored-columns.ts';
import { type AnyPgDatabase, StoredValues, type VersionCount } from '../storage/stored-values.ts';
import type { KeyInfo, Transit } from '../transit/transit.ts';
import { type ReindexOptions, type ReindexSummary, reindexStoredValues } from './reindex.ts';
import { retireVersionsBelow } from './retire.ts';
import { type RewrapOptions, type RewrapSummary, rewrapStoredValues } from './rewrap.ts';

/** Key lifecycle limited to the keys the schema encrypts with, over the stored columns declared for them. */
export class KeyAdmin {
  constructor(
    private readonly transit: Transit,
    readonly keys: ReadonlySet<string>,
    private readonly registry: StoredColumnRegistry,
    private readonly db: AnyPgDatabase,
  ) {}

  info(name: string): Promise<KeyInfo> {
    return this.transit.readKey(this.known(name));
  }

  rotate(name: string): Promise<KeyInfo> {
    return this.transit.rotateKey(this.known(name));
  }

  /** The stored values under a key, one store per declared column. */
  stores(name: string): StoredValues[] {
    return this.registry.forKey(name).map((column) => new StoredValues(this.db, column));
  }

  /** How many stored values use each live version of the key (versions in use but retired included). */
  async versions(name: string): Promise<VersionCount[]> {
    const key = await this.transit.readKey(this.known(name));
    const counts = new Map<number, number>();
    for (let version = key.minDecryptionVersion; version <= key.latestVersion; version += 1) counts.set(version, 0);
    for (const store of this.stores(name)) {
      for (const { version, count } of await store.countByVersion()) {
        counts.set(version, (counts.get(version) ?? 0) + count);
      }
    }
    return [...counts].map(([version, count]) => ({ version, count })).sort((a, b) => a.version - b.version);
  }

  /** Whether the key is a blind index's (HMAC) key rather than an encryption key. */
  isBlindIndexKey(name: string): boolean {
    return this.registry.forKey(name).some((column) => column.indexOf !== undefined);
  }

  /** Recomputes every blind-index column of the key under its latest version. */
  async reindex(name: string, options: ReindexOptions = {}): Promise<ReindexSummary[]> {
    const key = this.known(name);
    const columns = this.registry.forKey(key).filter((column) => column.indexOf !== undefined);
    if (columns.length === 0) {
      throw fieldEncryptionError(
        'BAD_USER_INPUT',
        `key "${key}" is no blind index's key; reindex recomputes blind indexes (to move ciphertext, rewrap)`,
      );
    }
    const summaries: ReindexSummary[] = [];
    for (const column of columns) {
      summaries.push(await reindexStoredValues(this.transit, new BlindIndexValues(this.db, column), options));
    }
    return summaries;
  }

  /** Rewraps every declared column of the key; the summary adds them up. */
  async rewrap(name: string, options: RewrapOptions = {}): Promise<RewrapSummary> {
    const key = this.known(name);
    if (this.isBlindIndexKey(key)) {
      throw fieldEncryptionError(
        'BAD_USER_INPUT',
        `key "${key}" holds blind indexes (HMACs), which cannot be rewrapped; run \`npm run transit -- reindex ${key}\``,
      );
    }
    const { latestVersion } = await this.transit.readKey(key);
    const total: RewrapSummary = {
      key,
      column: '*',
      latestVersion,
      total: 0,
      rewrapped: 0,
      skipped: 0,
      failed: 0,
      seconds: 0,
    };
    for (const store of this.stores(key)) {
      const summary = await rewrapStoredValues(this.transit, store, options);
      total.latestVersion = summary.latestVersion;
      total.total += summary.total;
      total.rewrapped += summary.rewrapped;
      total.skipped += summary.skipped;
      total.failed += summary.failed;
      total.seconds += summary.seconds;
    }
    return total;
  }

  retire(name: string, version: number): Promise<KeyInfo> {
    return retireVersionsBelow(this.transit, this.stores(this.known(name)), name, version);
  }

  private known(name: string): string {
    if (!this.keys.has(name)) {
      // Not repeated: a caller's text in an error may be a card number, or megabytes.
      throw fieldEncryptionError('BAD_USER_INPUT', `unknown key; this schema uses: ${[...this.keys].join(', ')}`);
    }
    return name;
  }
}
