import pLimit from 'p-limit';

/** Runs `work` over consecutive chunks of `items` with bounded concurrency, keeping input order. */
export async function mapInChunks<T, R>(
  items: readonly T[],
  chunkSize: number,
  concurrency: number,
  work: (chunk: readonly T[]) => Promise<R[]>,
): Promise<R[]> {
  if (items.length <= chunkSize) return work(items);
  const limit = pLimit(concurrency);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += chunkSize) chunks.push(items.slice(start, start + chunkSize));
  const results = await Promise.all(chunks.map((chunk) => limit(() => work(chunk))));
  return results.flat();
}
