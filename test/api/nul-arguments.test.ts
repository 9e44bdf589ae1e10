import { randomUUID } from 'node:crypto';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../src/cards/pan.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { capturedLogger, errorEntries } from '../support/captured-logs.ts';

const schema = buildSchema({ maxBulkSize: 1000 });
const ALL_ROLES = ['clerk', 'support', 'processor', 'key-admin', 'auditor'];
const NOT_STRINGS = new Set(['Int', 'Float', 'Boolean']);

/** A valid value of each scalar that arrives as a string; a scalar added later fails the walk until it has one. */
const STRING_SAMPLES: Record<string, () => string> = {
  String: () => 'card-pan',
  ID: () => randomUUID(),
  PAN: () => withCheckDigit('453929662013115'),
  CardholderName: () => 'Astor Piazzolla',
  DateTime: () => '2026-01-01T00:00:00.000Z',
};

/** Where a root field takes a string: the field, the operation type and the path of argument and input field names. */
interface StringSlot {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  path: string[];
}

/** Every string-valued argument of every query and mutation (nested inputs and lists too), found by walking the schema. */
function stringSlots(): StringSlot[] {
  const slots: StringSlot[] = [];
  const walk = (slot: Omit<StringSlot, 'path'>, type: GraphQLInputType, path: string[], seen: Set<string>) => {
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      if (seen.has(named.name)) return;
      for (const field of Object.values(named.getFields()))
        walk(slot, field.type, [...path, field.name], new Set([...seen, named.name]));
    } else if (isScalarType(named) && !NOT_STRINGS.has(named.name)) {
      slots.push({ ...slot, path });
    }
  };
  const roots: Array<['query' | 'mutation', GraphQLObjectType | null | undefined]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ];
  for (const [operation, root] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const argument of field.args) walk({ operation, field }, argument.type, [argument.name], new Set());
    }
  }
  return slots;
}

function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, sample(field.type)]));
  }
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (type.name === 'Int' || type.name === 'Float') return 1;
  if (type.name === 'Boolean') return true;
  const make = STRING_SAMPLES[type.name];
  if (make === undefined) throw new Error(`no sample value for the scalar ${type.name}: add one to STRING_SAMPLES`);
  return make();
}

/**
 * The operation with the slot's argument and the required ones passed as variables, `text` at the slot's
 * place: optional arguments are left out, so no other value can be what the API refuses.
 */
function request({ operation, field, path }: StringSlot, text: string) {
  const args = field.args.filter(
    (arg) => arg.name === path[0] || (isNonNullType(arg.type) && arg.defaultValue === undefined),
  );
  const variables: Record<string, unknown> = Object.fromEntries(args.map((arg) => [arg.name, sample(arg.type)]));
  let holder = variables;
  for (const [index, name] of path.entries()) {
    if (index === path.length - 1) {
      holder[name] = Array.isArray(holder[name]) ? [text] : text;
    } else {
      const next = holder[name];
      holder = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
    }
  }
  const declarations = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const argumentsText = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return { query: `${operation} (${declarations}) { ${field.name}(${argumentsText})${selection} }`, variables };
}

describe('the schema walk for string arguments', () => {
  it('finds the string arguments of queries and mutations, revealEvents(subject) among them', () => {
    const found = stringSlots().map((slot) => `${slot.field.name}.${slot.path.join('.')}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'revealEvents.subject',
        'revealEvents.after',
        'creditCards.after',
        'transitKey.name',
        'markCardsFailed.error',
        'createCreditCard.input.name',
      ]),
    );
  });
});

describe.each(backendSets())('a NUL character in any string argument [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let token: string;
  const { logger, lines: logs } = capturedLogger('info');

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends, logger);
    token = await api.token(...ALL_ROLES);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it.each(stringSlots().map((slot) => [`${slot.field.name}(${slot.path.join('.')})`, slot] as const))(
    '%s answers BAD_USER_INPUT: no 5xx, no internal error, no error-level log',
    async (_name, slot) => {
      const before = logs.length;
      const { query, variables } = request(slot, 'a\u0000b');
      const response = await api.gql(query, { token, variables });
      expect(response.status).toBeLessThan(500);
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(errorEntries(logs.slice(before))).toEqual([]);
    },
  );

  it('answers a NUL written into a literal the same way', async () => {
    const before = logs.length;
    const response = await api.gql('{ revealEvents(subject: "a\\u0000b") { nodes { seq } } }', { token });
    expect(response.status).toBeLessThan(500);
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(errorEntries(logs.slice(before))).toEqual([]);
  });
});
