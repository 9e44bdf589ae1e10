import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, type GraphQLSchema, parse } from 'graphql';
import { beforeEach, describe, expect, it } from 'vitest';
import { maxLengthDirective } from '../../src/directives/max-length.ts';
import { freeTextGuardTransform } from '../../src/graphql/free-text-guard.ts';

const bounded = maxLengthDirective({ defaultLimit: 10 });
const typeDefs = `
  input ContactInput { label: String!, phone: String! @maxLength(n: 4) }
  input PatientInput { name: String!, contacts: [ContactInput!], tags: [String!] @maxLength(n: 3) }
  type Query { ok: Boolean }
  type Mutation {
    admitPatients(inputs: [PatientInput!]!, note: String @maxLength(n: 20), count: Int): Int!
    discharge(id: ID!): Int!
  }
`;

describe('@maxLength and the default bound on the strings of a schema that is not about cards', () => {
  const calls: string[] = [];
  const build = (sdl: string): GraphQLSchema => {
    const built = makeExecutableSchema({
      typeDefs: [bounded.typeDefs, sdl],
      resolvers: {
        Mutation: {
          admitPatients: () => {
            calls.push('admitPatients');
            return 1;
          },
          discharge: () => {
            calls.push('discharge');
            return 1;
          },
        },
      },
    });
    // As the app orders them: the bound wraps the free-text guard, so it runs first.
    return bounded.transformer(freeTextGuardTransform(built));
  };
  const schema = build(typeDefs);
  const run = async (source: string) => {
    const result = await execute({ schema, document: parse(source) });
    return result.errors?.map((error) => [error.message, error.extensions.code]) ?? [];
  };

  beforeEach(() => {
    calls.length = 0;
  });

  it.each([
    ['an argument without @maxLength: the default', 'discharge(id: "12345678901")', 'id may be at most 10 characters'],
    [
      'an argument with @maxLength',
      `admitPatients(inputs: [], note: "${'n'.repeat(21)}")`,
      'note may be at most 20 characters',
    ],
    [
      'an input field without @maxLength, in a list',
      'admitPatients(inputs: [{ name: "a" }, { name: "abcdefghijk" }])',
      'inputs[1].name may be at most 10 characters',
    ],
    [
      'a nested input field with @maxLength',
      'admitPatients(inputs: [{ name: "a", contacts: [{ label: "x", phone: "12345" }] }])',
      'inputs[0].contacts[0].phone may be at most 4 characters',
    ],
    [
      'each item of a list with @maxLength',
      'admitPatients(inputs: [{ name: "a", tags: ["abc", "abcd"] }])',
      'inputs[0].tags[1] may be at most 3 characters',
    ],
  ])('%s: refused with BAD_USER_INPUT naming where, not what, before the resolver', async (_what, call, message) => {
    expect(await run(`mutation { ${call} }`)).toEqual([[message, 'BAD_USER_INPUT']]);
    expect(calls).toEqual([]);
  });

  it('accepts strings at their bound', async () => {
    expect(await run(`mutation { discharge(id: "1234567890") }`)).toEqual([]);
    expect(
      await run(
        `mutation { admitPatients(inputs: [{ name: "abcdefghij", tags: ["abc"] }], note: "${'n'.repeat(20)}") }`,
      ),
    ).toEqual([]);
    expect(calls).toEqual(['discharge', 'admitPatients']);
  });

  it('refuses a long value before the free-text guard scans it: a card number in it is not what is reported', async () => {
    const long = `card 4539 2966 2013 1157 ${'x'.repeat(5000)}`;
    expect(await run(`mutation { admitPatients(inputs: [], note: "${long}") }`)).toEqual([
      ['note may be at most 20 characters', 'BAD_USER_INPUT'],
    ]);
    expect(await run('mutation { admitPatients(inputs: [], note: "4539 2966 2013 1157") }')).toEqual([
      ['note must not contain a card number (card numbers belong in an encrypted field)', 'BAD_USER_INPUT'],
    ]);
  });

  it('refuses at schema build @maxLength on something that holds no string, or a bound under 1', () => {
    expect(() => build(`${typeDefs} extend type Query { page(first: Int @maxLength(n: 3)): Int }`)).toThrow(
      'Query.page(first): @maxLength needs a string argument or input field',
    );
    expect(() => build(`${typeDefs} input Filter { max: Int @maxLength(n: 3) }`)).toThrow(
      'Filter.max: @maxLength needs a string argument or input field',
    );
    expect(() => build(`${typeDefs} extend type Query { find(name: String @maxLength(n: 0)): Int }`)).toThrow(
      'Query.find(name): @maxLength(n) must be at least 1',
    );
  });
});
