import DataLoader from 'dataloader';
import type { TransitBatchingConfig } from '../config.ts';
import type { Transit, TransitResult } from './transit.ts';

type Operation = 'encrypt' | 'decrypt';

/**
 * Coalesces single-value encrypt/decrypt requests into batch calls: everything asked for the same
 * key in the same tick (or within the configured window) goes out as one call, across requests.
 * Nothing is cached: each load is answered once and forgotten, so no plaintext outlives its request.
 */
export class TransitBatcher {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(
    readonly transit: Transit,
    private readonly batching: Pick<TransitBatchingConfig, 'enabled' | 'windowMs'>,
  ) {}

  encrypt(key: string, plaintext: string | Buffer): Promise<string> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    return this.loader<string>('encrypt', key).load(bytes.toString('base64'));
  }

  decrypt(key: string, ciphertext: string): Promise<Buffer> {
    return this.loader<Buffer>('decrypt', key).load(ciphertext);
  }

  async decryptText(key: string, ciphertext: string): Promise<string> {
    return (await this.decrypt(key, ciphertext)).toString('utf8');
  }

  private loader<T>(operation: Operation, key: string): DataLoader<string, T> {
    const id = `${operation}:${key}`;
    let loader = this.loaders.get(id);
    if (loader === undefined) {
      loader = new DataLoader<string, unknown>((inputs) => this.run(operation, key, inputs), {
        cache: false,
        ...(this.batching.enabled ? {} : { maxBatchSize: 1 }),
        ...(this.batching.windowMs > 0
          ? { batchScheduleFn: (callback: () => void) => setTimeout(callback, this.batching.windowMs) }
          : {}),
      });
      this.loaders.set(id, loader);
    }
    return loader as DataLoader<string, T>;
  }

  private async run(operation: Operation, key: string, inputs: readonly string[]): Promise<Array<unknown>> {
    const results: TransitResult<unknown>[] =
      operation === 'encrypt'
        ? await this.transit.encrypt(
            key,
            inputs.map((input) => ({ plaintext: Buffer.from(input, 'base64') })),
          )
        : await this.transit.decrypt(
            key,
            inputs.map((ciphertext) => ({ ciphertext })),
          );
    return results.map((result) => (result.ok ? result.value : result.error));
  }
}
