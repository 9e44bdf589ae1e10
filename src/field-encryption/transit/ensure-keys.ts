import { type KeyOptions, type Transit, TransitError } from './transit.ts';

/**
 * Makes sure every key the schema encrypts with exists, derived exactly where the schema binds values
 * to their record. With `create`, missing keys are created (the embedded engine on first start, and
 * `transit setup`); otherwise a missing key stops the start. A key whose derivation disagrees with the
 * schema always stops it: Vault cannot change that after creation, the values must be migrated.
 */
export async function ensureKeys(
  transit: Transit,
  keys: ReadonlyMap<string, KeyOptions>,
  options: { create: boolean },
): Promise<string[]> {
  const created: string[] = [];
  for (const [key, wanted] of keys) {
    const derived = wanted.derived === true;
    try {
      const info = await transit.readKey(key);
      if (info.derived !== derived) {
        throw new TransitError(
          'INVALID_REQUEST',
          derived
            ? `transit key "${key}" is not derived, but the schema binds its values to their records; create a derived key and move the values with \`npm run transit -- bind\` (see docs/design-notes.md, Binding existing values)`
            : `transit key "${key}" is derived, but the schema does not bind its values to their records (bindTo)`,
        );
      }
    } catch (error) {
      if (!(error instanceof TransitError) || error.code !== 'KEY_NOT_FOUND') throw error;
      if (!options.create) {
        throw new TransitError(
          'KEY_NOT_FOUND',
          `transit key "${key}" does not exist; run \`npm run transit -- setup\``,
        );
      }
      await transit.createKey(key, { derived });
      created.push(key);
    }
  }
  return created;
}
