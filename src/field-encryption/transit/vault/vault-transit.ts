import { mapInChunks } from '../chunks.ts';
import type { RecordAnchor } from '../record-anchor.ts';
import {
  type DecryptItem,
  type EncryptItem,
  failed,
  type HmacItem,
  type HmacOptions,
  type KeyInfo,
  type KeyOptions,
  type KeySettings,
  ok,
  type Transit,
  TransitError,
  type TransitResult,
} from '../transit.ts';
import type { TransitBatchingConfig } from '../transit-config.ts';
import { KvAnchor } from './kv-anchor.ts';
import { itemsPerRequest } from './request-size.ts';
import { itemError } from './vault-errors.ts';
import type { VaultSession } from './vault-session.ts';

interface BatchAnswer {
  data: { batch_results: Array<{ ciphertext?: string; plaintext?: string; hmac?: string; error?: string }> };
}

interface KeyAnswer {
  data: {
    name: string;
    type: string;
    derived?: boolean;
    exportable?: boolean;
    latest_version: number;
    min_decryption_version: number;
    min_encryption_version: number;
    keys: Record<string, number | string>;
  };
}

/** Transit on Vault or OpenBao through node-vault: batch_input requests, chunked to what the server accepts. */
export class VaultTransit implements Transit {
  readonly kind = 'vault';
  private readonly mount: string;
  private readonly recordAnchor: KvAnchor;

  constructor(
    private readonly session: VaultSession,
    private readonly batching: Pick<TransitBatchingConfig, 'batchSize' | 'concurrency'>,
  ) {
    this.mount = session.config.mount;
    this.recordAnchor = new KvAnchor(session, session.config.anchor.mount, session.config.anchor.path);
  }

  anchor(): RecordAnchor {
    return this.recordAnchor;
  }

  async describe(): Promise<string> {
    const health = await this.session.health().catch(() => undefined);
    const version = health?.version ?? 'unknown version';
    const addresses = this.session.nodes.addresses;
    const nodes = addresses.length === 1 ? '' : ` (${addresses.length} nodes: ${addresses.join(', ')})`;
    return `Vault/OpenBao ${version} at ${health?.address ?? addresses[0]}${nodes} (mount ${this.mount})`;
  }

  encrypt(key: string, items: readonly EncryptItem[]): Promise<TransitResult<string>[]> {
    return this.batch(
      key,
      'encrypt',
      items,
      (item) => ({ plaintext: item.plaintext.toString('base64'), ...withContext(item.context) }),
      (result) => result.ciphertext,
    );
  }

  decrypt(key: string, items: readonly DecryptItem[]): Promise<TransitResult<Buffer>[]> {
    // The hot path of every decrypted page: each value goes from the wire's base64 to bytes once, no
    // intermediate result per item.
    return this.batch(key, 'decrypt', items, decryptInput, (result) =>
      result.plaintext === undefined ? undefined : Buffer.from(result.plaintext, 'base64'),
    );
  }

  rewrap(key: string, items: readonly DecryptItem[]): Promise<TransitResult<string>[]> {
    return this.batch(
      key,
      'rewrap',
      items,
      (item) => ({ ciphertext: item.ciphertext, ...withContext(item.context) }),
      (result) => result.ciphertext,
    );
  }

  hmac(key: string, items: readonly HmacItem[], options: HmacOptions = {}): Promise<TransitResult<string>[]> {
    return this.batch(
      key,
      'hmac',
      items,
      (item) => ({ input: item.input.toString('base64') }),
      (result) => result.hmac,
      // OpenBao takes key_version for the whole request, not per batch item.
      options.version === undefined ? {} : { key_version: options.version },
    );
  }

  async createKey(key: string, options: KeyOptions = {}): Promise<void> {
    const body = { type: 'aes256-gcm96', ...(options.derived === true ? { derived: true } : {}) };
    await this.session.request('POST', this.keyPath(key), body, `create key "${key}"`);
  }

  async readKey(key: string): Promise<KeyInfo> {
    const answer = await this.session.request<KeyAnswer>('GET', this.keyPath(key), undefined, `read key "${key}"`);
    return keyInfo(answer);
  }

  async rotateKey(key: string): Promise<KeyInfo> {
    await this.session.request('POST', `${this.keyPath(key)}/rotate`, {}, `rotate key "${key}"`);
    return this.readKey(key);
  }

  async configureKey(key: string, settings: KeySettings): Promise<KeyInfo> {
    const body: Record<string, number> = {};
    if (settings.minDecryptionVersion !== undefined) body.min_decryption_version = settings.minDecryptionVersion;
    if (settings.minEncryptionVersion !== undefined) body.min_encryption_version = settings.minEncryptionVersion;
    await this.session.request('POST', `${this.keyPath(key)}/config`, body, `configure key "${key}"`);
    return this.readKey(key);
  }

  async ensureEngine(): Promise<boolean> {
    const mounts = await this.session.request<{ data?: Record<string, unknown> } & Record<string, unknown>>(
      'GET',
      '/sys/mounts',
      undefined,
      'list secrets engines',
    );
    const listed = mounts.data ?? mounts;
    await this.recordAnchor.ensureMount();
    if (`${this.mount}/` in listed) return false;
    await this.session.request('POST', `/sys/mounts/${this.mount}`, { type: 'transit' }, 'enable transit');
    return true;
  }

  async health(): Promise<void> {
    await this.session.health();
    await this.session.login();
  }

  async close(): Promise<void> {
    this.session.close();
  }

  private keyPath(key: string): string {
    if (!/^[\w-]+$/.test(key)) throw new TransitError('INVALID_REQUEST', `invalid key name "${key}"`);
    return `/${this.mount}/keys/${key}`;
  }

  private async batch<I, V = string>(
    key: string,
    operation: 'encrypt' | 'decrypt' | 'rewrap' | 'hmac',
    items: readonly I[],
    toInput: (item: I) => Record<string, string>,
    fromResult: (result: BatchAnswer['data']['batch_results'][number]) => V | undefined,
    requestFields: Record<string, unknown> = {},
  ): Promise<TransitResult<V>[]> {
    if (items.length === 0) return [];
    const path = `/${this.mount}/${operation}/${this.keyPath(key).split('/').pop()}`;
    const withContext = items.some((item) => (item as { context?: Buffer }).context !== undefined);
    const chunkSize = itemsPerRequest(
      this.batching.batchSize,
      this.session.config.maxRequestJsonStrings,
      withContext ? 2 : 1,
      Object.keys(requestFields).length,
    );
    return mapInChunks(items, chunkSize, this.batching.concurrency, async (chunk) => {
      const answer = await this.session.request<BatchAnswer>(
        'POST',
        path,
        { ...requestFields, batch_input: chunk.map(toInput) },
        `${operation} with key "${key}"`,
      );
      const results = answer.data.batch_results;
      if (results.length !== chunk.length) {
        throw new TransitError('UNAVAILABLE', `vault answered ${results.length} results for ${chunk.length} items`);
      }
      const answered: TransitResult<V>[] = new Array(results.length);
      for (let index = 0; index < results.length; index++) {
        const result = results[index] as BatchAnswer['data']['batch_results'][number];
        if (result.error !== undefined && result.error !== '') {
          answered[index] = failed(itemError(result.error));
          continue;
        }
        const value = fromResult(result);
        answered[index] =
          value === undefined
            ? failed(new TransitError('UNAVAILABLE', `vault ${operation} answered no value`))
            : ok(value);
      }
      return answered;
    });
  }
}

function keyInfo(answer: KeyAnswer): KeyInfo {
  const data = answer.data;
  const versions: Record<number, Date> = {};
  for (const [version, created] of Object.entries(data.keys)) {
    versions[Number(version)] = typeof created === 'number' ? new Date(created * 1000) : new Date(created);
  }
  return {
    name: data.name,
    type: data.type,
    derived: data.derived === true,
    exportable: data.exportable === true,
    latestVersion: data.latest_version,
    minDecryptionVersion: data.min_decryption_version,
    minEncryptionVersion: data.min_encryption_version,
    versions,
  };
}

function withContext(context: Buffer | undefined): { context?: string } {
  return context === undefined ? {} : { context: context.toString('base64') };
}

function decryptInput(item: DecryptItem): Record<string, string> {
  return item.context === undefined
    ? { ciphertext: item.ciphertext }
    : { ciphertext: item.ciphertext, context: item.context.toString('base64') };
}
