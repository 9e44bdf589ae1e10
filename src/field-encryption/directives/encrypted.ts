import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  type GraphQLArgumentConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { graphqlError } from '../../graphql/errors.ts';
import type { TransitBatcher } from '../transit/batcher.ts';
import { transitFailureForClient } from '../transit-errors.ts';

export interface EncryptionContext {
  transit: TransitBatcher;
}

/** Where in an argument value the marked leaves are. */
type Plan =
  | { kind: 'encrypt'; key: string }
  | { kind: 'list'; item: Plan }
  | { kind: 'object'; fields: ReadonlyMap<string, Plan> };

/**
 * `@encrypted(key)`: on an input field or argument, the value is replaced by its transit ciphertext
 * before the receiving field's resolver runs (in nested input objects and lists too); on an object
 * field it declares that the stored value is ciphertext under that key.
 */
export function encryptedDirective(directiveName = 'encrypted') {
  return {
    typeDefs: `"""
Encrypt this value under the named transit key before any resolver sees it: the resolver receives
\`vault:v<N>:...\` ciphertext, never the plaintext. On an object field: the stored value is
ciphertext under that key (see @decryptFor for who may read it in the clear).
"""
directive @${directiveName}(
  "Name of the transit key, e.g. card-pan."
  key: String!
) on INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION | FIELD_DEFINITION
`,
    transformer: (schema: GraphQLSchema): GraphQLSchema => {
      const planner = new Planner(schema, directiveName);
      return mapSchema(schema, {
        [MapperKind.OBJECT_FIELD]: (fieldConfig) => {
          const plan = planner.forArguments(fieldConfig.args ?? {});
          if (plan === undefined) return fieldConfig;
          const resolve = fieldConfig.resolve ?? defaultFieldResolver;
          return {
            ...fieldConfig,
            resolve: async (source, args, context: EncryptionContext, info) =>
              resolve(source, await encryptValue(plan, args, context.transit), context, info),
          };
        },
      });
    },
    /** The transit key an object field is declared to hold ciphertext under, if any. */
    keyOf: (schema: GraphQLSchema, field: Parameters<typeof getDirective>[1]): string | undefined =>
      (getDirective(schema, field, directiveName)?.[0] as { key: string } | undefined)?.key,
  };
}

class Planner {
  private readonly inputPlans = new Map<string, Plan | undefined>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly directiveName: string,
  ) {}

  forArguments(args: GraphQLFieldConfigArgumentMap): Plan | undefined {
    return this.objectPlan(Object.entries(args));
  }

  private objectPlan(entries: Array<[string, GraphQLArgumentConfig]>): Plan | undefined {
    const fields = new Map<string, Plan>();
    for (const [name, config] of entries) {
      const key = (getDirective(this.schema, config, this.directiveName)?.[0] as { key: string } | undefined)?.key;
      const plan = key === undefined ? this.forType(config.type) : this.leafPlan(config.type, key, name);
      if (plan !== undefined) fields.set(name, plan);
    }
    return fields.size === 0 ? undefined : { kind: 'object', fields };
  }

  private forType(type: GraphQLInputType): Plan | undefined {
    if (isNonNullType(type)) return this.forType(type.ofType);
    if (isListType(type)) {
      const item = this.forType(type.ofType);
      return item === undefined ? undefined : { kind: 'list', item };
    }
    if (!isInputObjectType(type)) return undefined;
    if (this.inputPlans.has(type.name)) return this.inputPlans.get(type.name);
    this.inputPlans.set(type.name, undefined); // a recursive input type refers to itself while being planned
    const plan = this.objectPlan(Object.entries(type.toConfig().fields));
    this.inputPlans.set(type.name, plan);
    return plan;
  }

  private leafPlan(type: GraphQLInputType, key: string, name: string): Plan {
    if (isNonNullType(type)) return this.leafPlan(type.ofType, key, name);
    if (isListType(type)) return { kind: 'list', item: this.leafPlan(type.ofType, key, name) };
    if (!isScalarType(type)) {
      throw new Error(
        `@${this.directiveName} on "${name}" must mark a scalar (or a list of scalars), not ${type.name}`,
      );
    }
    return { kind: 'encrypt', key };
  }
}

/** Returns a copy of `value` with every marked leaf replaced by its ciphertext; all leaves go out in one tick. */
async function encryptValue(plan: Plan, value: unknown, transit: TransitBatcher): Promise<unknown> {
  if (value === null || value === undefined) return value;
  switch (plan.kind) {
    case 'encrypt':
      return transit
        .encrypt(plan.key, typeof value === 'string' ? value : JSON.stringify(value))
        .catch((error: unknown) => {
          throw encryptionUnavailable(error);
        });
    case 'list':
      return Promise.all((value as unknown[]).map((item) => encryptValue(plan.item, item, transit)));
    case 'object': {
      const record = value as Record<string, unknown>;
      const entries = await Promise.all(
        Object.entries(record).map(async ([name, field]) => {
          const fieldPlan = plan.fields.get(name);
          return [name, fieldPlan === undefined ? field : await encryptValue(fieldPlan, field, transit)] as const;
        }),
      );
      return Object.fromEntries(entries);
    }
  }
}

function encryptionUnavailable(error: unknown) {
  const { reason, description } = transitFailureForClient(error);
  return graphqlError(
    'ENCRYPTION_UNAVAILABLE',
    `Encryption is unavailable, nothing was written: ${description}`,
    { reason },
    error instanceof Error ? error : undefined,
  );
}

/** Every transit key named by the directive anywhere in the schema (the keys `setup` must create). */
export function encryptionKeysOf(schema: GraphQLSchema, directiveName = 'encrypted'): Set<string> {
  const keys = new Set<string>();
  const collect = (node: Parameters<typeof getDirective>[1]) => {
    for (const found of getDirective(schema, node, directiveName) ?? []) keys.add((found as { key: string }).key);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInputObjectType(type)) Object.values(type.getFields()).forEach(collect);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        collect(field);
        field.args.forEach(collect);
      }
    }
  }
  return keys;
}
