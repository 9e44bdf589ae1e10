import { type Transit, TransitError } from './transit.ts';

/**
 * Makes sure every key the schema encrypts with exists. With `create`, missing keys are created
 * (the embedded engine on first start, and `transit setup`); otherwise a missing key stops the start.
 */
export async function ensureKeys(
  transit: Transit,
  keys: Iterable<string>,
  options: { create: boolean },
): Promise<string[]> {
  const created: string[] = [];
  for (const key of keys) {
    try {
      await transit.readKey(key);
    } catch (error) {
      if (!(error instanceof TransitError) || error.code !== 'KEY_NOT_FOUND') throw error;
      if (!options.create) {
        throw new TransitError(
          'KEY_NOT_FOUND',
          `transit key "${key}" does not exist; run \`npm run transit -- setup\``,
        );
      }
      await transit.createKey(key);
      created.push(key);
    }
  }
  return created;
}
