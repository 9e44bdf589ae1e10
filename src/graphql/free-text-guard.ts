import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { containsPan } from '../text/pan-detector.ts';
import { badUserInput } from './errors.ts';

/**
 * Scalars that carry no free text; every other scalar a client sends is treated as text. IDs are
 * identifiers the resolvers validate (UUIDs), not stored text, and the hex digits of a UUID can form a
 * Luhn-valid run (a processor's markCardsProcessed was refused for it).
 */
const NON_TEXT_SCALARS = new Set(['Int', 'Float', 'Boolean', 'ID']);

/**
 * Free text is a channel: any string a client stores, others read. Every string argument of every
 * mutation (in nested input objects and lists too) is refused with BAD_USER_INPUT when it holds a
 * card number, however it is written (see text/pan-detector), or a NUL (PostgreSQL text cannot hold
 * one). Values marked `@encrypted` are left alone: they are encrypted, not stored as text. Applied to
 * every mutation by default, so a string field added later is covered without anyone remembering to.
 */
export function freeTextGuardTransform(schema: GraphQLSchema, encryptedDirective = 'encrypted'): GraphQLSchema {
  const isEncrypted = (node: GraphQLArgument | GraphQLInputField) =>
    (getDirective(schema, node, encryptedDirective)?.length ?? 0) > 0;

  const check = (value: unknown, type: GraphQLInputType, path: string): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) {
      check(value, type.ofType, path);
      return;
    }
    if (isListType(type)) {
      (value as unknown[]).forEach((item, index) => {
        check(item, type.ofType, `${path}[${index}]`);
      });
      return;
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!isEncrypted(field))
          check((value as Record<string, unknown>)[field.name], field.type, `${path}.${field.name}`);
      }
      return;
    }
    if (isScalarType(type) && !NON_TEXT_SCALARS.has(type.name) && typeof value === 'string') checkText(value, path);
  };

  return mapSchema(schema, {
    [MapperKind.MUTATION_ROOT_FIELD]: (fieldConfig, fieldName) => {
      const resolve = fieldConfig.resolve ?? defaultFieldResolver;
      return {
        ...fieldConfig,
        resolve: (source, args, context, info) => {
          const field = info.parentType.getFields()[fieldName];
          for (const argument of field?.args ?? []) {
            if (!isEncrypted(argument)) check(args[argument.name], argument.type, argument.name);
          }
          return resolve(source, args, context, info);
        },
      };
    },
  });
}

function checkText(value: string, path: string): void {
  if (value.includes('\u0000')) throw badUserInput(`${path} must not contain NUL characters`, { argument: path });
  if (containsPan(value)) {
    throw badUserInput(`${path} must not contain a card number (card numbers belong in an encrypted field)`, {
      argument: path,
    });
  }
}
