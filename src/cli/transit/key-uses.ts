import type { GraphQLSchema } from 'graphql';
import { REVEAL_SEAL_KEY, transitKeysOf } from '../../encryption-declarations.ts';
import { blindIndexKeysOf } from '../../field-encryption/index.ts';

/** Every transit key the schema declares, with what it is used for, in the words `transit info` prints. */
export function keyUses(schema: GraphQLSchema): Map<string, string> {
  const indexKeys = blindIndexKeysOf(schema);
  return new Map(
    [...transitKeysOf(schema).keys()].map((key) => [
      key,
      key === REVEAL_SEAL_KEY
        ? 'reveal record seals (HMAC)'
        : indexKeys.has(key)
          ? 'blind index (@blindIndex), HMAC only'
          : 'encryption (@encrypted)',
    ]),
  );
}
