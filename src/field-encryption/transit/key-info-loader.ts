import DataLoader from 'dataloader';
import type { KeyInfo, Transit } from './transit.ts';

/**
 * One readKey per key and tick, however many values ask for it; nothing is cached across ticks, so a
 * rotation shows at once (a blind-index lookup must know every live version).
 */
export class KeyInfoLoader {
  private readonly keys: DataLoader<string, KeyInfo>;

  constructor(transit: Transit) {
    // Without a cache dataloader hands every load to the batch, duplicates included: read each key once.
    this.keys = new DataLoader(
      async (names) => {
        const read = new Map(
          [...new Set(names)].map((name) => [name, transit.readKey(name).catch((error: Error) => error)]),
        );
        return Promise.all(names.map((name) => read.get(name) as Promise<KeyInfo | Error>));
      },
      { cache: false },
    );
  }

  keyInfo(key: string): Promise<KeyInfo> {
    return this.keys.load(key);
  }
}
