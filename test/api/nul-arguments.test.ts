import { randomUUID } from 'node:crypto';
import { isNonNullType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../src/cards/pan.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { capturedLogger, errorEntries } from '../support/captured-logs.ts';
import { type InputSlot, requestWithValueAt, stringInputSlots } from '../support/schema-inputs.ts';

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

function stringSample(scalar: string): string {
  const make = STRING_SAMPLES[scalar];
  if (make === undefined) throw new Error(`no sample value for the scalar ${scalar}: add one to STRING_SAMPLES`);
  return make();
}

/** Every string-valued argument of every query and mutation (nested inputs and lists too). */
const stringSlots = () => stringInputSlots(schema, ['query', 'mutation'], NOT_STRINGS);

/**
 * The operation with the slot's argument and the required ones passed as variables, `text` at the slot's
 * place: optional arguments are left out, so no other value can be what the API refuses.
 */
function request(slot: InputSlot, text: string) {
  const args = slot.field.args.filter(
    (arg) => arg.name === slot.path[0] || (isNonNullType(arg.type) && arg.defaultValue === undefined),
  );
  return requestWithValueAt(slot, args, text, stringSample);
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
  const { logger, lines: logs } = capturedLogger('info');
  const context = useTestApi(set, logger);
  let token: string;

  beforeAll(async () => {
    token = await context.api.token(...ALL_ROLES);
  });

  it.each(stringSlots().map((slot) => [`${slot.field.name}(${slot.path.join('.')})`, slot] as const))(
    '%s answers BAD_USER_INPUT: no 5xx, no internal error, no error-level log',
    async (_name, slot) => {
      const before = logs.length;
      const { query, variables } = request(slot, 'a\u0000b');
      const response = await context.api.gql(query, { token, variables });
      expect(response.status).toBeLessThan(500);
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(errorEntries(logs.slice(before))).toEqual([]);
    },
  );

  it('answers a NUL written into a literal the same way', async () => {
    const before = logs.length;
    const response = await context.api.gql('{ revealEvents(subject: "a\\u0000b") { nodes { seq } } }', { token });
    expect(response.status).toBeLessThan(500);
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(errorEntries(logs.slice(before))).toEqual([]);
  });
});
