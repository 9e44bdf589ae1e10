import { getDirective } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';

/** What `@encrypted(key, bindTo)` says about one field or argument. */
export interface EncryptedArgs {
  key: string;
  /** Sibling field holding the record's identity, used as the derived key's context. */
  bindTo?: string;
  /** While existing values are being bound: the non-derived key values not yet bound are under. */
  unboundKey?: string;
}

export function encryptedArgsOf(
  schema: GraphQLSchema,
  node: Parameters<typeof getDirective>[1],
  directiveName: string,
): EncryptedArgs | undefined {
  const found = getDirective(schema, node, directiveName)?.[0] as
    | { key: string; bindTo?: string | null; unboundKey?: string | null }
    | undefined;
  if (found === undefined) return undefined;
  if (found.unboundKey != null && found.bindTo == null) {
    throw new Error(`@${directiveName}(key: "${found.key}"): unboundKey needs bindTo`);
  }
  return {
    key: found.key,
    ...(found.bindTo == null ? {} : { bindTo: found.bindTo }),
    ...(found.unboundKey == null ? {} : { unboundKey: found.unboundKey }),
  };
}
