import { badUserInput } from '../graphql/errors.ts';

const MAX_NAME_LENGTH = 256;

/** Cardholder names: PostgreSQL text cannot hold NUL, and a name has no business being megabytes long. */
export function requireCardNames(names: readonly string[]): void {
  if (names.some((name) => name.includes('\u0000'))) throw badUserInput('name must not contain NUL characters');
  if (names.some((name) => name.length > MAX_NAME_LENGTH)) {
    throw badUserInput(`name may be at most ${MAX_NAME_LENGTH} characters`);
  }
}
