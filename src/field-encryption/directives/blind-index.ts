import { getDirective } from '@graphql-tools/utils';
import { type GraphQLSchema, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { parseRollingBudget, type RollingBudget } from '../budget/rolling-budget.ts';
import type { BlindIndex } from '../transit/blind-index-of.ts';

export const BLIND_INDEX_DIRECTIVE = 'blindIndex';

/**
 * How many values a caller may ask about when no `existenceBudget` is declared: an answer that
 * differs on whether a value is on file is a reveal, and a card number with its BIN and last four
 * known has only ~100,000 candidates.
 */
export const DEFAULT_EXISTENCE_BUDGET = '100/h';

/** What `@blindIndex` declares on one input field or argument. */
export interface BlindIndexDeclaration {
  key: string;
  existenceBudget: RollingBudget;
}

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
  """
  Existence is a reveal: an answer that differs on whether a value is on file (a lookup hit or
  miss, a duplicate report) tells the caller about a value it may not read. Each value asked about
  through this field is recorded in the reveal record and counted per caller against this rolling
  budget ("N/s", "N/m", "N/h" or "N/d"; ${DEFAULT_EXISTENCE_BUDGET} when not given); past it, the
  answer is RATE_LIMITED whether the value is on file or not.
  """
  existenceBudget: String
) on INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION
`,
  };
}

export function blindIndexDeclarationOf(
  schema: GraphQLSchema,
  node: Parameters<typeof getDirective>[1],
  directiveName = BLIND_INDEX_DIRECTIVE,
): BlindIndexDeclaration | undefined {
  const found = getDirective(schema, node, directiveName)?.[0] as { key: string; existenceBudget?: string } | undefined;
  if (found === undefined) return undefined;
  const text = found.existenceBudget ?? DEFAULT_EXISTENCE_BUDGET;
  const existenceBudget = parseRollingBudget(text);
  if (existenceBudget === undefined) {
    throw new Error(
      `@${directiveName}(key: "${found.key}", existenceBudget: ${JSON.stringify(text)}) is not a budget; write N/s, N/m, N/h or N/d with N a positive whole number, e.g. "100/h"`,
    );
  }
  return { key: found.key, existenceBudget };
}

/** Every transit key named by `@blindIndex` anywhere in the schema: HMAC-only keys. */
export function blindIndexKeysOf(schema: GraphQLSchema, directiveName = BLIND_INDEX_DIRECTIVE): Set<string> {
  const keys = new Set<string>();
  const collect = (node: Parameters<typeof getDirective>[1]) => {
    const declared = blindIndexDeclarationOf(schema, node, directiveName);
    if (declared !== undefined) keys.add(declared.key);
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
