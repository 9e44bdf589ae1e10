import { getDirective } from '@graphql-tools/utils';
import { type GraphQLSchema, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import type { BlindIndex } from '../transit/blind-index-of.ts';

export const BLIND_INDEX_DIRECTIVE = 'blindIndex';

/**
 * `@blindIndex(key)`: declared next to `@encrypted` on an input field (or alone on an argument); the
 * work is done by the `@encrypted` transform, which hands the resolver the field's keyed blind index.
 */
export function blindIndexDirective(name = BLIND_INDEX_DIRECTIVE) {
  return {
    typeDefs: `"""
Also compute a keyed blind index of this value: the transit HMAC (under every live version of the
named key) of the value as the scalar parsed it. The resolver receives it next to the value, in
\`<field>Index\` ({ latest, candidates }), to store (latest) or to look stored records up by
(candidates). On an input field it needs @encrypted on the same field. The key is an HMAC-only
key of its own, never an encryption key.
"""
directive @${name}(
  "Name of the transit key whose HMAC is the index, e.g. card-pan-index."
  key: String!
) on INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION
`,
  };
}

export function blindIndexKeyOf(
  schema: GraphQLSchema,
  node: Parameters<typeof getDirective>[1],
  directiveName = BLIND_INDEX_DIRECTIVE,
): string | undefined {
  const found = getDirective(schema, node, directiveName)?.[0] as { key: string } | undefined;
  return found?.key;
}

/** Every transit key named by `@blindIndex` anywhere in the schema: HMAC-only keys. */
export function blindIndexKeysOf(schema: GraphQLSchema, directiveName = BLIND_INDEX_DIRECTIVE): Set<string> {
  const keys = new Set<string>();
  const collect = (node: Parameters<typeof getDirective>[1]) => {
    const key = blindIndexKeyOf(schema, node, directiveName);
    if (key !== undefined) keys.add(key);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInputObjectType(type)) Object.values(type.getFields()).forEach(collect);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) field.args.forEach(collect);
    }
  }
  return keys;
}

/**
 * The blind index `@blindIndex` computed for `field` of this input (generated resolver types do not
 * show it). Throws when it is missing: the SDL does not declare the index on that field.
 */
export function withBlindIndex<T extends object, F extends string>(
  input: T,
  field: F,
): T & Record<`${F}Index`, BlindIndex> {
  const index = (input as Record<string, unknown>)[`${field}Index`] as BlindIndex | undefined;
  if (index === undefined || typeof index.latest !== 'string') {
    throw new Error(`no blind index was computed for ${field}: is @blindIndex on it in the SDL?`);
  }
  return input as T & Record<`${F}Index`, BlindIndex>;
}
