import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blindIndexOf, type KeyInfo, TransitBatcher } from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';

const KEY = 'race-index';

describe.each(backendSets())('a blind index asked while its old version is retired [$name]', (set) => {
  let backends: Backends;
  let batcher: TransitBatcher;

  beforeAll(async () => {
    backends = await set.open();
    await backends.transit.createKey(KEY);
    await backends.transit.rotateKey(KEY);
    batcher = new TransitBatcher(backends.transit, { enabled: true, windowMs: 10, batchSize: 250 });
  });
  afterAll(() => backends?.close());

  it('drops the version retired after the key was read (OpenBao refuses its HMAC: no such key version)', async () => {
    const stale: KeyInfo = await backends.transit.readKey(KEY); // v1 and v2 live
    await backends.transit.configureKey(KEY, { minDecryptionVersion: 2 });
    let reads = 0;
    const racing = {
      hmac: batcher.hmac.bind(batcher),
      keyInfo: async (key: string) => (reads++ === 0 ? stale : batcher.keyInfo(key)),
    };
    const index = await blindIndexOf(racing, KEY, '4539296620131157');
    expect(index.latest).toMatch(/^vault:v2:/);
    expect(index.candidates).toEqual([index.latest]);
    // The backend really refuses the retired version: without the re-read the lookup would have failed.
    await expect(batcher.hmac(KEY, '4539296620131157', 1)).rejects.toThrow();
  });
});
