import DataLoader from 'dataloader';
import { KeyInfoLoader } from './key-info-loader.ts';
import type { KeyInfo, Transit, TransitResult } from './transit.ts';

type Operation = 'encrypt' | 'decrypt' | 'hmac';

export interface BatchingOptions {
  /** Off: one call per value, as the original system did. */
  enabled: boolean;
  /** Under load, how long a small batch waits for company. */
  windowMs: number;
  /** Items per transit request. */
  batchSize: number;
}

const SEPARATOR = '|'; // in neither base64 nor a vault:v<N>: ciphertext
const VERSION_SEPARATOR = '@'; // not in a key name

/** One dataloader key per value and context: the context (base64) then the value. */
function loadKey(context: string | undefined, value: string): string {
  return `${context === undefined ? '' : Buffer.from(context, 'utf8').toString('base64')}${SEPARATOR}${value}`;
}

function parseLoadKey(key: string): { value: string; context: { context?: Buffer } } {
  const at = key.indexOf(SEPARATOR);
  const context = key.slice(0, at);
  return { value: key.slice(at + 1), context: context === '' ? {} : { context: Buffer.from(context, 'base64') } };
}

/**
 * Coalesces single-value encrypt/decrypt requests into batch calls, across requests: everything
 * asked for the same operation and key in the same tick goes out as one call. Under load (a call
 * for them started or ended within the window) a small next batch also waits out the window and any
 * call still in flight, so that concurrent requests share calls; when idle, or when the batch already
 * fills a chunk (a page of cards), nothing waits.
 * Nothing is cached: each load is answered once and forgotten, so no plaintext outlives its request.
 */
export class TransitBatcher {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();
  private readonly inFlight = new Set<string>();
  private readonly waiting = new Map<string, () => void>();
  private readonly lastActive = new Map<string, number>();
  /** Loads queued since the last dispatch, per operation and key. */
  private readonly queued = new Map<string, number>();
  private keyInfoLoader: KeyInfoLoader | undefined;

  constructor(
    readonly transit: Transit,
    private readonly batching: BatchingOptions,
  ) {}

  /** `context`: for a derived key, the identity of the record the value belongs to. */
  encrypt(key: string, plaintext: string | Buffer, context?: string): Promise<string> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    return this.loader<string>('encrypt', key).load(loadKey(context, bytes.toString('base64')));
  }

  decrypt(key: string, ciphertext: string, context?: string): Promise<Buffer> {
    return this.loader<Buffer>('decrypt', key).load(loadKey(context, ciphertext));
  }

  async decryptText(key: string, ciphertext: string, context?: string): Promise<string> {
    return (await this.decrypt(key, ciphertext, context)).toString('utf8');
  }

  /** HMAC under `version` (the latest unless given), coalesced per key and version like encrypt. */
  hmac(key: string, input: string | Buffer, version?: number): Promise<string> {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    return this.loader<string>('hmac', `${key}${VERSION_SEPARATOR}${version ?? 0}`).load(
      loadKey(undefined, bytes.toString('base64')),
    );
  }

  /** The key's versions: one readKey per key and tick, never cached across ticks. */
  keyInfo(key: string): Promise<KeyInfo> {
    this.keyInfoLoader ??= new KeyInfoLoader(this.transit);
    return this.keyInfoLoader.keyInfo(key);
  }

  private loader<T>(operation: Operation, key: string): DataLoader<string, T> {
    const id = `${operation}:${key}`;
    if (this.batching.enabled) this.queued.set(id, (this.queued.get(id) ?? 0) + 1);
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
    // As dataloader's default: after the promise jobs already queued, so loads made in them join;
    // by then the size of this tick's batch is known.
    void Promise.resolve().then(() =>
      process.nextTick(() => {
        const recent = performance.now() - (this.lastActive.get(id) ?? Number.NEGATIVE_INFINITY);
        const small = (this.queued.get(id) ?? 0) < this.batching.batchSize;
        if (recent < this.batching.windowMs && small) setTimeout(whenIdle, this.batching.windowMs);
        else whenIdle();
      }),
    );
  }

  private async dispatch(id: string, operation: Operation, key: string, inputs: readonly string[]) {
    if (!this.batching.enabled) return this.run(operation, key, inputs);
    this.queued.set(id, Math.max(0, (this.queued.get(id) ?? 0) - inputs.length));
    this.inFlight.add(id);
    this.lastActive.set(id, performance.now());
    try {
      return await this.run(operation, key, inputs);
    } finally {
      this.inFlight.delete(id);
      this.lastActive.set(id, performance.now());
      const next = this.waiting.get(id);
      this.waiting.delete(id);
      next?.();
    }
  }

  private async run(operation: Operation, key: string, inputs: readonly string[]): Promise<Array<unknown>> {
    const items = inputs.map(parseLoadKey);
    if (operation === 'hmac') return this.runHmac(key, items);
    const results: TransitResult<unknown>[] =
      operation === 'encrypt'
        ? await this.transit.encrypt(
            key,
            items.map(({ value, context }) => ({ plaintext: Buffer.from(value, 'base64'), ...context })),
          )
        : await this.transit.decrypt(
            key,
            items.map(({ value, context }) => ({ ciphertext: value, ...context })),
          );
    return results.map((result) => (result.ok ? result.value : result.error));
  }

  private async runHmac(target: string, items: ReturnType<typeof parseLoadKey>[]): Promise<Array<unknown>> {
    const at = target.lastIndexOf(VERSION_SEPARATOR);
    const version = Number(target.slice(at + 1));
    const results = await this.transit.hmac(
      target.slice(0, at),
      items.map(({ value }) => ({ input: Buffer.from(value, 'base64') })),
      version === 0 ? {} : { version },
    );
    return results.map((result) => (result.ok ? result.value : result.error));
  }
}
