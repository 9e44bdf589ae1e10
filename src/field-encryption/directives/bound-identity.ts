/**
 * The identity `@encrypted(bindTo)` fixed for a new record before encrypting its values (the field is
 * not in the input type, so generated resolver types do not show it). Throws when it is missing: the
 * SDL does not bind this input, and storing it under a fresh identity would orphan its ciphertext.
 */
export function withBoundIdentity<T extends object, F extends string = 'id'>(
  input: T,
  field: F = 'id' as F,
): T & Record<F, string> {
  const id = (input as Record<string, unknown>)[field];
  if (typeof id !== 'string' || id === '') {
    throw new Error(`no ${field} was fixed for this input: is @encrypted(bindTo: "${field}") in the SDL?`);
  }
  return input as T & Record<F, string>;
}
