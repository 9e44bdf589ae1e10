import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  type ConstDirectiveNode,
  type GraphQLSchema,
  getIntrospectionQuery,
  graphqlSync,
  type IntrospectionQuery,
  type IntrospectionType,
  isInputObjectType,
  isObjectType,
  isSpecifiedDirective,
  print,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { requireRoleDirective } from '../../src/directives/require-role.ts';
import { decryptForDirective, encryptedDirective } from '../../src/field-encryption/index.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { CONTRACT_HEADING, describeDirectives } from '../../src/graphql/describe-directives.ts';

/** What a client sees: descriptions as introspection answers them, by `Type.field` and `Type.field(arg)`. */
function introspectedDescriptions(schema: GraphQLSchema): Map<string, string> {
  const result = graphqlSync({ schema, source: getIntrospectionQuery() });
  expect(result.errors).toBeUndefined();
  const descriptions = new Map<string, string>();
  for (const type of (result.data as unknown as IntrospectionQuery).__schema.types as IntrospectionType[]) {
    if (type.kind === 'OBJECT') {
      for (const field of type.fields) {
        descriptions.set(`${type.name}.${field.name}`, field.description ?? '');
        for (const arg of field.args)
          descriptions.set(`${type.name}.${field.name}(${arg.name})`, arg.description ?? '');
      }
    }
    if (type.kind === 'INPUT_OBJECT') {
      for (const field of type.inputFields) descriptions.set(`${type.name}.${field.name}`, field.description ?? '');
    }
  }
  return descriptions;
}

/** The directives as written in the SDL, read from the AST (not through the code under test). */
function directivesInSdl(schema: GraphQLSchema): Map<string, ConstDirectiveNode[]> {
  const found = new Map<string, ConstDirectiveNode[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        found.set(`${type.name}.${field.name}`, [...(field.astNode?.directives ?? [])]);
        for (const arg of field.args)
          found.set(`${type.name}.${field.name}(${arg.name})`, [...(arg.astNode?.directives ?? [])]);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        found.set(`${type.name}.${field.name}`, [...(field.astNode?.directives ?? [])]);
      }
    }
  }
  return found;
}

function argument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((arg) => arg.name.value === name)?.value;
  if (value === undefined) return undefined;
  return value.kind === 'StringValue' || value.kind === 'EnumValue' ? value.value : print(value);
}

/** Every field's generated text agrees with its directives, and fields without them get none. */
function expectContractsMatchDirectives(
  schema: GraphQLSchema,
  names: { encrypted: string; decryptFor: string; requireRole: string },
) {
  const descriptions = introspectedDescriptions(schema);
  let described = 0;
  for (const [where, directives] of directivesInSdl(schema)) {
    const description = descriptions.get(where) ?? '';
    const ours = directives.filter((directive) => Object.values(names).includes(directive.name.value));
    if (ours.length === 0) {
      expect(description, where).not.toContain(CONTRACT_HEADING);
      continue;
    }
    described += 1;
    expect(description, where).toContain(CONTRACT_HEADING);
    const contract = description.slice(description.indexOf(CONTRACT_HEADING));
    for (const directive of ours) {
      if (directive.name.value === names.encrypted)
        expect(contract, where).toContain(`transit key \`${argument(directive, 'key')}\``);
      if (directive.name.value === names.decryptFor) {
        const mask = argument(directive, 'mask') ?? 'NONE';
        expect(contract, where).toContain(
          mask === 'NONE'
            ? `\`${argument(directive, 'role')}\` reads the plaintext`
            : `\`${argument(directive, 'role')}\` reads it masked with ${mask}`,
        );
        const policy = argument(directive, 'policy');
        if (policy !== undefined) expect(contract, where).toContain(`the policy \`${policy}\` allows`);
      }
      if (directive.name.value === names.requireRole) {
        const roles =
          argument(directive, 'anyOf')
            ?.match(/"[^"]+"/g)
            ?.map((role) => role.slice(1, -1)) ?? [];
        const line = contract.split('\n').find((text) => text.startsWith('- Only callers with the role')) ?? '';
        for (const role of roles) expect(line, where).toContain(`\`${role}\``);
      }
    }
  }
  return described;
}

describe('the docs pane tells the encryption contract, generated from the directives', () => {
  it('CreditCard.pan: key, the roles that read plaintext or a mask, ciphertext for everyone else', () => {
    const pan = introspectedDescriptions(buildSchema({ maxBulkSize: 1000 })).get('CreditCard.pan') ?? '';
    expect(pan.split(`\n\n${CONTRACT_HEADING}\n`)[1]?.split('\n')).toEqual([
      '- Stored encrypted under the transit key `card-pan`.',
      '- `processor` reads the plaintext of records the policy `pending` allows (others: the ciphertext).',
      '- `support` reads it masked with LAST4 (Everything but the last four characters masked: ************1157), at most 2000 values per rolling hour per caller ("2000/h"; past it the field fails with RATE_LIMITED).',
      '- Every other caller reads the ciphertext (`vault:v<N>:...`).',
    ]);
    const input = introspectedDescriptions(buildSchema({ maxBulkSize: 1000 })).get('CreditCardInput.pan') ?? '';
    expect(input).toContain('Encrypted under the transit key `card-pan` before any resolver sees it');
    const rotate = introspectedDescriptions(buildSchema({ maxBulkSize: 1000 })).get('Mutation.rotateKey') ?? '';
    expect(rotate).toContain('- Only callers with the role `key-admin` may use this field.');
  });

  it('every field of the card API: the generated text agrees with the SDL directives', () => {
    const described = expectContractsMatchDirectives(buildSchema({ maxBulkSize: 1000 }), {
      encrypted: 'encrypted',
      decryptFor: 'decryptFor',
      requireRole: 'requireRole',
    });
    expect(described).toBeGreaterThan(10);
  });

  it('a fixture schema with directives under other names gets its own contract', () => {
    // Only the directives' SDL is used here: no request runs, so no cipher or roles are asked for.
    const unused = (): never => {
      throw new Error('not called');
    };
    const sealed = encryptedDirective({ name: 'sealed', cipher: unused });
    const revealTo = decryptForDirective({
      name: 'revealTo',
      encryptedDirectiveName: 'sealed',
      cipher: unused,
      roles: unused,
    });
    const staffOnly = requireRoleDirective('staffOnly');
    const names = { encrypted: 'sealed', decryptFor: 'revealTo', requireRole: 'staffOnly' };
    const base = makeExecutableSchema({
      typeDefs: [
        sealed.typeDefs,
        revealTo.typeDefs,
        staffOnly.typeDefs,
        `type Patient {
           name: String!
           "What the patient has."
           diagnosis: String @sealed(key: "medical") @revealTo(role: "doctor") @revealTo(role: "nurse", mask: FIRST6_LAST4)
           notes: String @sealed(key: "medical")
         }
         type Query { patient(ssn: String! @sealed(key: "identity")): Patient @staffOnly(anyOf: ["doctor", "nurse"]) }`,
      ],
    });
    const schema = describeDirectives(names)(base);
    const descriptions = introspectedDescriptions(schema);
    expect(descriptions.get('Patient.diagnosis')).toBe(
      [
        'What the patient has.',
        '',
        CONTRACT_HEADING,
        '- Stored encrypted under the transit key `medical`.',
        '- `doctor` reads the plaintext.',
        '- `nurse` reads it masked with FIRST6_LAST4 (First six and last four characters kept, as card receipts show: 453929******1157).',
        '- Every other caller reads the ciphertext (`vault:v<N>:...`).',
      ].join('\n'),
    );
    expect(descriptions.get('Patient.notes')).toContain('No role reads the plaintext');
    expect(descriptions.get('Query.patient(ssn)')).toContain('transit key `identity`');
    expect(descriptions.get('Query.patient')).toContain('Only callers with the role `doctor` or `nurse`');
    expect(descriptions.get('Patient.name')).toBe('');
    expect(expectContractsMatchDirectives(schema, names)).toBe(4);
  });
});

describe("the schema's own description (the docs pane's root)", () => {
  it('names every directive the schema declares and says where each field shows its contract', () => {
    const schema = buildSchema({ maxBulkSize: 1000 });
    const result = graphqlSync({ schema, source: '{ __schema { description } }' });
    expect(result.errors).toBeUndefined();
    const description = (result.data as { __schema: { description: string | null } }).__schema.description ?? '';
    const declared = schema
      .getDirectives()
      .filter((directive) => !isSpecifiedDirective(directive))
      .map((directive) => directive.name);
    expect(declared).toEqual(expect.arrayContaining(['encrypted', 'decryptFor', 'blindIndex', 'requireRole']));
    for (const name of declared) expect(description, `@${name}`).toMatch(new RegExp(`- .*@${name}\\(`));
    expect(description.replace(/\s+/g, ' ')).toContain(`"${CONTRACT_HEADING}"`);
  });
});
