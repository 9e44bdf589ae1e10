import { performance } from 'node:perf_hooks';
import type { Transit } from '../field-encryption/index.ts';

export interface DecryptMeasurement {
  n: number;
  batchedMs: number;
  naiveMs: number;
  /** How many values the naive run decrypted; below n, naiveMs is extrapolated from them. */
  naiveSampled: number;
}

/**
 * Times decrypting n values under `key` two ways: batched (one transit.decrypt call, chunked by the
 * backend) and naive (one call per value, one after the other, as the original system did).
 */
export async function measureDecrypt(
  transit: Transit,
  key: string,
  n: number,
  naiveSampleLimit: number,
): Promise<DecryptMeasurement> {
  const plaintexts = Array.from({ length: n }, (_, index) => `4539${String(index).padStart(12, '0')}`);
  const encrypted = await transit.encrypt(
    key,
    plaintexts.map((plaintext) => ({ plaintext: Buffer.from(plaintext) })),
  );
  const items = encrypted.map((result) => {
    if (!result.ok) throw result.error;
    return { ciphertext: result.value };
  });

  let started = performance.now();
  const batched = await transit.decrypt(key, items);
  const batchedMs = performance.now() - started;
  batched.forEach((result, index) => {
    if (!result.ok || result.value.toString() !== plaintexts[index])
      throw new Error(`batched decrypt of item ${index} failed`);
  });

  const naiveSampled = Math.min(n, naiveSampleLimit);
  started = performance.now();
  for (let index = 0; index < naiveSampled; index++) {
    const [result] = await transit.decrypt(key, [items[index] as { ciphertext: string }]);
    if (!result?.ok) throw new Error(`naive decrypt of item ${index} failed`);
  }
  const naiveMs = ((performance.now() - started) * n) / naiveSampled;
  return { n, batchedMs, naiveMs, naiveSampled };
}
