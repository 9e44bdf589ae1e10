import DataLoader from 'dataloader';
import type { KeyInfo, Transit } from './transit.ts';

/**
 * One readKey per key and tick, however many values ask for it; nothing is cached across ticks, so a
 * rotation shows at once (a blind-index lookup must know every live version).
 */
export class KeyInfoLoader {
  private readonly keys: DataLoader<string, KeyInfo>;

  constructor(transit: Transit) {
    this.keys = new DataLoader(
      (names) => Promise.all(names.map((name) => transit.readKey(name).catch((error: Error) => error))),
      { cache: false },
    );
  }

  keyInfo(key: string): Promise<KeyInfo> {
    return this.keys.load(key);
  }
}
