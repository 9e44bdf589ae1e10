import { afterEach, describe, expect, it, vi } from 'vitest';
import { TransitBatcher } from '../../src/field-encryption/transit/batcher.ts';
import type { Transit } from '../../src/field-encryption/transit/transit.ts';
import { type Backends, backendSets } from '../support/backends.ts';

const KEY = 'batcher-key';

async function encryptMany(transit: Transit, count: number): Promise<{ plaintexts: string[]; ciphertexts: string[] }> {
  const plaintexts = Array.from({ length: count }, (_, index) => `pan-${index}`);
  const results = await transit.encrypt(
    KEY,
    plaintexts.map((plaintext) => ({ plaintext: Buffer.from(plaintext) })),
  );
  return { plaintexts, ciphertexts: results.map((result) => (result.ok ? result.value : 'failed')) };
}

/** Transit calls the batcher caused: HTTP decrypt requests on OpenBao, transit.decrypt calls on the embedded engine. */
function decryptCalls(backends: Backends, decryptSpy: { mock: { calls: unknown[] } }): number {
  return backends.name === 'embedded'
    ? decryptSpy.mock.calls.length
    : backends.vaultRequests.filter((path) => path.includes('/decrypt/')).length;
}

describe.each(backendSets())('TransitBatcher [$name]', (set) => {
  let backends: Backends | undefined;

  afterEach(async () => {
    vi.restoreAllMocks();
    await backends?.close();
    backends = undefined;
  });

  async function open(env: Record<string, string>): Promise<Backends> {
    backends = await set.open(env);
    await backends.transit.createKey(KEY);
    return backends;
  }

  // 1,000 values of one field each: OpenBao's default cap of 1,000 JSON strings takes 499 per request, so a
  // TRANSIT_BATCH_SIZE above that is cut to what the server takes.
  it.each([
    { batchSize: 300, perRequest: 300, title: 'into ceil(1000 / TRANSIT_BATCH_SIZE) transit calls' },
    {
      batchSize: 1000,
      perRequest: 499,
      title: 'larger than the server takes into requests within its cap on JSON strings',
    },
  ])('turns 1,000 decrypts asked for in one tick, a batch of $batchSize, $title', async ({ batchSize, perRequest }) => {
    const opened = await open({ TRANSIT_BATCH_SIZE: String(batchSize) });
    const { plaintexts, ciphertexts } = await encryptMany(opened.transit, 1000);
    const batcher = new TransitBatcher(opened.transit, opened.config.transit.batching);
    const decryptSpy = vi.spyOn(opened.transit, 'decrypt');
    opened.vaultRequests.length = 0;

    const decrypted = await Promise.all(ciphertexts.map((ciphertext) => batcher.decryptText(KEY, ciphertext)));

    expect(decrypted).toEqual(plaintexts);
    expect(decryptSpy).toHaveBeenCalledTimes(1);
    expect(decryptCalls(opened, decryptSpy)).toBe(opened.name === 'embedded' ? 1 : Math.ceil(1000 / perRequest));
  });

  it('reads a key once for 1,000 values asking its versions in one tick (a bulk create with a blind index)', async () => {
    const opened = await open({});
    const batcher = new TransitBatcher(opened.transit, opened.config.transit.batching);
    const readKeySpy = vi.spyOn(opened.transit, 'readKey');
    opened.vaultRequests.length = 0;

    const infos = await Promise.all(Array.from({ length: 1000 }, () => batcher.keyInfo(KEY)));

    expect(new Set(infos.map((info) => info.latestVersion))).toEqual(new Set([1]));
    expect(readKeySpy).toHaveBeenCalledTimes(1);
    if (opened.name !== 'embedded') expect(opened.vaultRequests).toHaveLength(1);
  });

  it('costs one transit call per value with TRANSIT_BATCHING=false', async () => {
    const opened = await open({ TRANSIT_BATCHING: 'false' });
    const { plaintexts, ciphertexts } = await encryptMany(opened.transit, 1000);
    const batcher = new TransitBatcher(opened.transit, opened.config.transit.batching);
    const decryptSpy = vi.spyOn(opened.transit, 'decrypt');
    opened.vaultRequests.length = 0;

    const decrypted = await Promise.all(ciphertexts.map((ciphertext) => batcher.decryptText(KEY, ciphertext)));

    expect(decrypted).toEqual(plaintexts);
    expect(decryptSpy).toHaveBeenCalledTimes(1000);
    expect(decryptCalls(opened, decryptSpy)).toBe(1000);
  });

  it('caches no plaintext: every call reaches the backend, and a retired version fails afterwards', async () => {
    const opened = await open({});
    const { ciphertexts } = await encryptMany(opened.transit, 1);
    const v1 = ciphertexts[0] as string;
    const batcher = new TransitBatcher(opened.transit, opened.config.transit.batching);
    const decryptSpy = vi.spyOn(opened.transit, 'decrypt');

    expect(await batcher.decryptText(KEY, v1)).toBe('pan-0');
    expect(await batcher.decryptText(KEY, v1)).toBe('pan-0');
    expect(decryptSpy).toHaveBeenCalledTimes(2);

    await opened.transit.rotateKey(KEY);
    await opened.transit.configureKey(KEY, { minDecryptionVersion: 2 });
    await expect(batcher.decryptText(KEY, v1)).rejects.toMatchObject({ code: 'VERSION_RETIRED' });
  });

  it('answers each value of one batch separately: a bad value fails only its own load', async () => {
    const opened = await open({});
    const { ciphertexts } = await encryptMany(opened.transit, 2);
    const batcher = new TransitBatcher(opened.transit, opened.config.transit.batching);

    const settled = await Promise.allSettled([
      batcher.decryptText(KEY, ciphertexts[0] as string),
      batcher.decryptText(KEY, 'vault:v1:garbage'),
      batcher.decryptText(KEY, ciphertexts[1] as string),
    ]);

    expect(settled.map((result) => (result.status === 'fulfilled' ? result.value : result.reason.code))).toEqual([
      'pan-0',
      'MALFORMED_CIPHERTEXT',
      'pan-1',
    ]);
  });
});
