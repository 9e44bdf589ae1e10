import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '../graphql/errors.ts';
import { containsPan } from '../text/pan-detector.ts';

const MAX_NAME_LENGTH = 256;

/**
 * Cardholder names: PostgreSQL text cannot hold NUL, a name has no business being megabytes long,
 * and it is no place for a card number.
 */
function parseCardholderName(value: unknown): string {
  if (typeof value !== 'string') throw badUserInput('name must be a string');
  if (value.trim() === '') throw badUserInput('name must not be empty');
  if (value.includes('\u0000')) throw badUserInput('name must not contain NUL characters');
  if (value.length > MAX_NAME_LENGTH) throw badUserInput(`name may be at most ${MAX_NAME_LENGTH} characters`);
  // A card number typed into the name would be stored, and answered, in the clear.
  if (containsPan(value)) throw badUserInput('name must not contain a card number');
  return value;
}

/** Checked during input coercion, so a bad name is refused before any PAN of the request is encrypted. */
export const CardholderNameScalar = new GraphQLScalarType<string, string>({
  name: 'CardholderName',
  serialize: (value) => String(value),
  parseValue: parseCardholderName,
  parseLiteral: (ast) => parseCardholderName(ast.kind === Kind.STRING ? ast.value : undefined),
});
