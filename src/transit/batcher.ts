import DataLoader from 'dataloader';
import type { TransitBatchingConfig } from '../config.ts';
import type { Transit, TransitResult } from './transit.ts';

type Operation = 'encrypt' | 'decrypt';

/**
 * Coalesces single-value encrypt/decrypt requests into batch calls: everything asked for the same
 * key in the same tick (or within the configured window) goes out as one call, across requests.
 * While a call for an operation and key is in flight, the next batch for them waits and grows
 * until it returns, so that under load concurrent requests share calls without a fixed delay.
 * Nothing is cached: each load is answered once and forgotten, so no plaintext outlives its request.
 */
export class TransitBatcher {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();
  private readonly inFlight = new Set<string>();
  private readonly waiting = new Map<string, () => void>();

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
      loader = new DataLoader<string, unknown>((inputs) => this.dispatch(id, operation, key, inputs), {
        cache: false,
        // Without batching every value is its own call, all sent at once, as the original system did.
        ...(this.batching.enabled
          ? { batchScheduleFn: (callback: () => void) => this.schedule(id, callback) }
          : { maxBatchSize: 1 }),
      });
      this.loaders.set(id, loader);
    }
    return loader as DataLoader<string, T>;
  }

  private schedule(id: string, dispatch: () => void): void {
    const whenIdle = () => (this.inFlight.has(id) ? this.waiting.set(id, dispatch) : dispatch());
    if (this.batching.windowMs > 0) setTimeout(whenIdle, this.batching.windowMs);
    else process.nextTick(whenIdle);
  }

  private async dispatch(id: string, operation: Operation, key: string, inputs: readonly string[]) {
    if (!this.batching.enabled) return this.run(operation, key, inputs);
    this.inFlight.add(id);
    try {
      return await this.run(operation, key, inputs);
    } finally {
      this.inFlight.delete(id);
      const next = this.waiting.get(id);
      this.waiting.delete(id);
      next?.();
    }
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
