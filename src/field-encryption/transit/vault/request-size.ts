/**
 * How many batch items one request may carry: at most `batchSize`, and few enough that the body's
 * strings stay within the server's cap. Each item has `fieldsPerItem` fields (a key and a value each);
 * the body adds `batch_input` and the request's own fields.
 */
export function itemsPerRequest(
  batchSize: number,
  maxJsonStrings: number,
  fieldsPerItem: number,
  requestFields = 0,
): number {
  const room = maxJsonStrings - 1 - 2 * requestFields;
  return Math.max(1, Math.min(batchSize, Math.floor(room / (2 * fieldsPerItem))));
}
