import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { badUserInput } from '../graphql/errors.ts';

/** Scalars whose values are not strings; every other scalar arrives as one and is bounded. */
const NOT_STRINGS = new Set(['Int', 'Float', 'Boolean']);

type DirectableInput = Parameters<typeof getDirective>[1] & { type: GraphQLInputType };

/** A string scalar, or a list of them: what @maxLength may be declared on. */
function holdsStrings(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return isScalarType(named) && !NOT_STRINGS.has(named.name);
}

/** Whether a value of this type can hold a string anywhere (in nested inputs too). */
function carriesStrings(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return holdsStrings(named);
  if (seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => carriesStrings(field.type, seen));
}

/**
 * `@maxLength(n)` on an argument or input field: each string it holds (each item, in a list) may be
 * at most n characters. Every string argument and input field without it is bounded by `defaultLimit`
 * (MAX_STRING_LENGTH), so one added later is bounded too. Applied after the free-text guard, so it
 * wraps it and runs first: a long value is refused before anything scans, encrypts or stores it.
 */
export function maxLengthDirective(options: { name?: string; defaultLimit: number }) {
  const directiveName = options.name ?? 'maxLength';
  return {
    typeDefs: `"Each string this argument or input field holds may be at most n characters (a string without @maxLength: MAX_STRING_LENGTH); longer is refused with BAD_USER_INPUT before the value is scanned, encrypted or stored."
directive @${directiveName}(n: Int!) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
`,
    transformer: (schema: GraphQLSchema): GraphQLSchema => {
      const limits = new WeakMap<GraphQLArgument | GraphQLInputField, number>();
      const limitOf = (node: GraphQLArgument | GraphQLInputField): number => {
        let limit = limits.get(node);
        if (limit === undefined) {
          limit =
            (getDirective(schema, node, directiveName)?.[0] as { n: number } | undefined)?.n ?? options.defaultLimit;
          limits.set(node, limit);
        }
        return limit;
      };
      const declared = (node: DirectableInput, where: string) => {
        const rule = getDirective(schema, node, directiveName)?.[0] as { n: number } | undefined;
        if (rule === undefined) return;
        if (!holdsStrings(node.type))
          throw new Error(`${where}: @${directiveName} needs a string argument or input field`);
        if (rule.n < 1) throw new Error(`${where}: @${directiveName}(n) must be at least 1`);
      };

      const check = (value: unknown, type: GraphQLInputType, max: number, path: string): void => {
        if (value === null || value === undefined) return;
        if (isNonNullType(type)) {
          check(value, type.ofType, max, path);
        } else if (isListType(type)) {
          if (Array.isArray(value)) {
            for (const [index, item] of value.entries()) check(item, type.ofType, max, `${path}[${index}]`);
          }
        } else if (isInputObjectType(type)) {
          for (const field of Object.values(type.getFields())) {
            check((value as Record<string, unknown>)[field.name], field.type, limitOf(field), `${path}.${field.name}`);
          }
        } else if (typeof value === 'string' && value.length > max) {
          throw badUserInput(`${path} may be at most ${max} characters`, { argument: path });
        }
      };

      return mapSchema(schema, {
        [MapperKind.INPUT_OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
          declared(fieldConfig, `${typeName}.${fieldName}`);
          return fieldConfig;
        },
        [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
          const args = Object.entries(fieldConfig.args ?? {});
          for (const [name, arg] of args) declared(arg, `${typeName}.${fieldName}(${name})`);
          if (!args.some(([, arg]) => carriesStrings(arg.type))) return fieldConfig;
          const resolve = fieldConfig.resolve ?? defaultFieldResolver;
          return {
            ...fieldConfig,
            resolve: (source, argValues, context, info) => {
              for (const argument of info.parentType.getFields()[fieldName]?.args ?? []) {
                check(argValues[argument.name], argument.type, limitOf(argument), argument.name);
              }
              return resolve(source, argValues, context, info);
            },
          };
        },
      });
    },
  };
}
