import DataLoader from 'dataloader';
import type { KeyInfo, Transit } from './transit.ts';

/**
 * Same-tick coalescing of HMACs and key reads: every HMAC asked for one key and version in a tick
 * goes out as one batch call; every read of one key in a tick is one readKey. Nothing is cached
 * across ticks, so a rotation shows at once.
 */
export class HmacLoaders {
  private readonly hmacs = new Map<string, DataLoader<string, string>>();
  private readonly keys: DataLoader<string, KeyInfo>;

  constructor(private readonly transit: Transit) {
    this.keys = new DataLoader(
      (names) => Promise.all(names.map((name) => this.transit.readKey(name).catch((error: Error) => error))),
      { cache: false },
    );
  }

  /** The HMAC of `input` under `version` of `key` (the latest unless given): `vault:v<N>:base64`. */
  hmac(key: string, input: string | Buffer, version?: number): Promise<string> {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    return this.loader(key, version).load(bytes.toString('base64'));
  }

  keyInfo(key: string): Promise<KeyInfo> {
    return this.keys.load(key);
  }

  private loader(key: string, version: number | undefined): DataLoader<string, string> {
    const id = `${key}@${version ?? 'latest'}`;
    let loader = this.hmacs.get(id);
    if (loader === undefined) {
      loader = new DataLoader<string, string>(
        async (inputs) => {
          const results = await this.transit.hmac(
            key,
            inputs.map((input) => ({ input: Buffer.from(input, 'base64') })),
            version === undefined ? {} : { version },
          );
          return results.map((result) => (result.ok ? result.value : result.error));
        },
        { cache: false },
      );
      this.hmacs.set(id, loader);
    }
    return loader;
  }
}
