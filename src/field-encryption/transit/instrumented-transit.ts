import type { RecordAnchor } from './record-anchor.ts';
import type {
  DecryptItem,
  EncryptItem,
  HmacItem,
  HmacOptions,
  KeyInfo,
  KeyOptions,
  KeySettings,
  Transit,
  TransitResult,
} from './transit.ts';

type BatchOperation = 'encrypt' | 'decrypt' | 'rewrap' | 'hmac';

/** The prom-client instruments it feeds (labels name operations and keys). */
export interface TransitMetrics {
  transitCalls: { inc(labels: { operation: BatchOperation; key: string; outcome: string }): void };
  transitBatchSize: { observe(labels: { operation: BatchOperation }, value: number): void };
  transitCallDuration: { startTimer(labels: { operation: BatchOperation }): () => unknown };
}

/** Counts and times the batch operations of a transit backend; labels name operations and keys, never values. */
export class InstrumentedTransit implements Transit {
  readonly kind: Transit['kind'];

  constructor(
    private readonly inner: Transit,
    private readonly metrics: TransitMetrics,
  ) {
    this.kind = inner.kind;
  }

  encrypt(key: string, items: readonly EncryptItem[]): Promise<TransitResult<string>[]> {
    return this.observe('encrypt', key, items.length, () => this.inner.encrypt(key, items));
  }

  decrypt(key: string, items: readonly DecryptItem[]): Promise<TransitResult<Buffer>[]> {
    return this.observe('decrypt', key, items.length, () => this.inner.decrypt(key, items));
  }

  rewrap(key: string, items: readonly DecryptItem[]): Promise<TransitResult<string>[]> {
    return this.observe('rewrap', key, items.length, () => this.inner.rewrap(key, items));
  }

  hmac(key: string, items: readonly HmacItem[], options?: HmacOptions): Promise<TransitResult<string>[]> {
    return this.observe('hmac', key, items.length, () => this.inner.hmac(key, items, options));
  }

  describe(): Promise<string> {
    return this.inner.describe();
  }
  createKey(key: string, options?: KeyOptions): Promise<void> {
    return this.inner.createKey(key, options);
  }
  readKey(key: string): Promise<KeyInfo> {
    return this.inner.readKey(key);
  }
  rotateKey(key: string): Promise<KeyInfo> {
    return this.inner.rotateKey(key);
  }
  configureKey(key: string, settings: KeySettings): Promise<KeyInfo> {
    return this.inner.configureKey(key, settings);
  }
  anchor(): RecordAnchor {
    return this.inner.anchor();
  }
  ensureEngine(): Promise<boolean> {
    return this.inner.ensureEngine();
  }
  health(): Promise<void> {
    return this.inner.health();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private async observe<T>(
    operation: BatchOperation,
    key: string,
    size: number,
    call: () => Promise<TransitResult<T>[]>,
  ): Promise<TransitResult<T>[]> {
    const stopTimer = this.metrics.transitCallDuration.startTimer({ operation });
    this.metrics.transitBatchSize.observe({ operation }, size);
    try {
      const results = await call();
      const outcome = results.every((result) => result.ok) ? 'ok' : 'item_errors';
      this.metrics.transitCalls.inc({ operation, key, outcome });
      return results;
    } catch (error) {
      this.metrics.transitCalls.inc({ operation, key, outcome: 'error' });
      throw error;
    } finally {
      stopTimer();
    }
  }
}
