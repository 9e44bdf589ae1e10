import { getDirective } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';

/** What `@encrypted(key, bindTo)` says about one field or argument. */
export interface EncryptedArgs {
  key: string;
  /** Sibling field holding the record's identity, used as the derived key's context. */
  bindTo?: string;
}

export function encryptedArgsOf(
  schema: GraphQLSchema,
  node: Parameters<typeof getDirective>[1],
  directiveName: string,
): EncryptedArgs | undefined {
  const found = getDirective(schema, node, directiveName)?.[0] as { key: string; bindTo?: string | null } | undefined;
  if (found === undefined) return undefined;
  return found.bindTo == null ? { key: found.key } : { key: found.key, bindTo: found.bindTo };
}
