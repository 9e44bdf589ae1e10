import DataLoader from 'dataloader';
import { KeyInfoLoader } from './key-info-loader.ts';
import type { DecryptItem, EncryptItem, HmacItem, KeyInfo, Transit, TransitResult } from './transit.ts';

type Operation = 'encrypt' | 'decrypt' | 'hmac';

export interface BatchingOptions {
  /** Off: one call per value, as the original system did. */
  enabled: boolean;
  /** Off and sequential: those calls go one after another, not all at once. */
  sequential?: boolean;
  /** Under load, how long a small batch waits for company. */
  windowMs: number;
  /** Items per transit request. */
  batchSize: number;
}

/** Nothing is cached, so a load's key is the transit item itself: it goes to the backend as it is. */
type LoadKey = EncryptItem | DecryptItem | HmacItem;
const VERSION_SEPARATOR = '@'; // not in a key name
/** How long one sight of concurrent callers keeps the window in use. */
const CONTENTION_MEMORY_MS = 1_000;
/**
 * Under load a batch waits in steps this long while each brings more loads. Shorter than the gaps
 * between a few clients' requests (they go out after one step), longer than a crowd's.
 */
const GATHER_STEP_MS = 5;

function decryptItem(ciphertext: string, context: string | undefined): DecryptItem {
  return context === undefined ? { ciphertext } : { ciphertext, context: Buffer.from(context, 'utf8') };
}

function toText(plaintext: Buffer): string {
  return plaintext.toString('utf8');
}

/**
 * Coalesces single-value encrypt/decrypt/hmac requests into batch calls, across requests: everything
 * asked for the same operation and key in the same tick goes out as one call. A batch asked for while
 * a call for them is in flight waits for it. Under load (a call for them started or ended within the
 * window, and batches found calls in flight within the last second) a small next batch also waits while
 * more loads keep arriving, at most the window, so that concurrent requests share calls. A caller asking one value after another, an
 * idle API, or a batch that already fills a chunk (a page of cards) never waits.
 * Nothing is cached: each load is answered once and forgotten, so no plaintext outlives its request.
 */
export class TransitBatcher {
  private readonly loaders = new Map<string, DataLoader<LoadKey, unknown>>();
  private readonly inFlight = new Set<string>();
  private readonly waiting = new Map<string, () => void>();
  private readonly lastActive = new Map<string, number>();
  /** When a batch last found a call for the same operation and key in flight: the sign of concurrent callers. */
  private readonly lastContended = new Map<string, number>();
  /** Loads queued since the last dispatch, per operation and key. */
  private readonly queued = new Map<string, number>();
  /** Without batching, in sequence: the last call sent (the next waits for it). */
  private previous: Promise<unknown> = Promise.resolve();
  private keyInfoLoader: KeyInfoLoader | undefined;

  constructor(
    readonly transit: Transit,
    private readonly batching: BatchingOptions,
  ) {}

  /** `context`: for a derived key, the identity of the record the value belongs to. */
  encrypt(key: string, plaintext: string | Buffer, context?: string): Promise<string> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const item: EncryptItem =
      context === undefined ? { plaintext: bytes } : { plaintext: bytes, context: Buffer.from(context, 'utf8') };
    return this.loader<string>('encrypt', key).load(item);
  }

  decrypt(key: string, ciphertext: string, context?: string): Promise<Buffer> {
    return this.loader<Buffer>('decrypt', key).load(decryptItem(ciphertext, context));
  }

  decryptText(key: string, ciphertext: string, context?: string): Promise<string> {
    return this.decrypt(key, ciphertext, context).then(toText);
  }

  /** HMAC under `version` (the latest unless given), coalesced per key and version like encrypt. */
  hmac(key: string, input: string | Buffer, version?: number): Promise<string> {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    return this.loader<string>('hmac', `${key}${VERSION_SEPARATOR}${version ?? 0}`).load({ input: bytes });
  }

  /** The key's versions: one readKey per key and tick, never cached across ticks. */
  keyInfo(key: string): Promise<KeyInfo> {
    this.keyInfoLoader ??= new KeyInfoLoader(this.transit);
    return this.keyInfoLoader.keyInfo(key);
  }

  private loader<T>(operation: Operation, key: string): DataLoader<LoadKey, T> {
    const id = `${operation}:${key}`;
    if (this.batching.enabled) this.queued.set(id, (this.queued.get(id) ?? 0) + 1);
    let loader = this.loaders.get(id);
    if (loader === undefined) {
      loader = new DataLoader<LoadKey, unknown>((inputs) => this.dispatch(id, operation, key, inputs), {
        cache: false,
        // Without batching every value is its own call, all sent at once, as the original system did.
        ...(this.batching.enabled
          ? { batchScheduleFn: (callback: () => void) => this.schedule(id, callback) }
          : { maxBatchSize: 1 }),
      });
      this.loaders.set(id, loader);
    }
    return loader as DataLoader<LoadKey, T>;
  }

  private schedule(id: string, dispatch: () => void): void {
    const whenIdle = () => {
      if (!this.inFlight.has(id)) return dispatch();
      this.lastContended.set(id, performance.now());
      this.waiting.set(id, dispatch);
    };
    // As dataloader's default: after the promise jobs already queued, so loads made in them join;
    // by then the size of this tick's batch is known.
    void Promise.resolve().then(() =>
      process.nextTick(() => {
        const now = performance.now();
        const underLoad =
          now - (this.lastActive.get(id) ?? Number.NEGATIVE_INFINITY) < this.batching.windowMs &&
          now - (this.lastContended.get(id) ?? Number.NEGATIVE_INFINITY) < CONTENTION_MEMORY_MS;
        const small = (this.queued.get(id) ?? 0) < this.batching.batchSize;
        if (underLoad && small) this.gather(id, now, whenIdle);
        else whenIdle();
      }),
    );
  }

  /**
   * Under load, waits while company keeps arriving: a step at a time, for as long as each step brought
   * more loads, at most the window. A trickle of callers waits one step; a crowd, up to the window.
   */
  private gather(id: string, since: number, then: () => void): void {
    const step = Math.min(GATHER_STEP_MS, this.batching.windowMs);
    let seen = this.queued.get(id) ?? 0;
    const check = () => {
      const queued = this.queued.get(id) ?? 0;
      const grew = queued > seen;
      seen = queued;
      if (grew && queued < this.batching.batchSize && performance.now() - since + step <= this.batching.windowMs)
        setTimeout(check, step);
      else then();
    };
    setTimeout(check, step);
  }

  private async dispatch(id: string, operation: Operation, key: string, inputs: readonly LoadKey[]) {
    if (!this.batching.enabled) {
      if (!this.batching.sequential) return this.run(operation, key, inputs);
      const call = this.previous.then(() => this.run(operation, key, inputs));
      this.previous = call.catch(() => {});
      return call;
    }
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

  private async run(operation: Operation, key: string, inputs: readonly LoadKey[]): Promise<Array<unknown>> {
    if (operation === 'hmac') return this.runHmac(key, inputs as readonly HmacItem[]);
    const results: TransitResult<unknown>[] =
      operation === 'encrypt'
        ? await this.transit.encrypt(key, inputs as readonly EncryptItem[])
        : await this.transit.decrypt(key, inputs as readonly DecryptItem[]);
    const values: unknown[] = new Array(results.length);
    for (let index = 0; index < results.length; index++) {
      const result = results[index] as TransitResult<unknown>;
      values[index] = result.ok ? result.value : result.error;
    }
    return values;
  }

  private async runHmac(target: string, items: readonly HmacItem[]): Promise<Array<unknown>> {
    const at = target.lastIndexOf(VERSION_SEPARATOR);
    const version = Number(target.slice(at + 1));
    const results = await this.transit.hmac(target.slice(0, at), items, version === 0 ? {} : { version });
    return results.map((result) => (result.ok ? result.value : result.error));
  }
}
