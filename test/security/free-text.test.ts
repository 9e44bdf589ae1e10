import { randomUUID } from 'node:crypto';
import { getDirective } from '@graphql-tools/utils';
import fc from 'fast-check';
import type { GraphQLArgument, GraphQLInputField } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../src/cards/pan.ts';
import { creditCards, revealEvents } from '../../src/db/schema.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { containsPan } from '../../src/text/pan-detector.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { capturedLogger } from '../support/captured-logs.ts';
import { type InputSlot, requestWithValueAt, stringInputSlots } from '../support/schema-inputs.ts';
import { disguisedPan } from './support/disguised-pans.ts';
import { luhnPan } from './support/pans.ts';

const RUNS_PER_FIELD = Number(process.env.FREE_TEXT_RUNS ?? 25);
const NOT_TEXT = new Set(['Int', 'Float', 'Boolean', 'ID']);
const ALL_ROLES = ['clerk', 'support', 'processor', 'key-admin'];

const schema = buildSchema({ maxBulkSize: 1000 });
const encrypted = (node: GraphQLArgument | GraphQLInputField) =>
  (getDirective(schema, node, 'encrypted')?.length ?? 0) > 0;

/** Where a mutation takes text a client may store (not an encrypted value): a path of argument and field names. */
const textSlots = () => stringInputSlots(schema, ['mutation'], NOT_TEXT, encrypted);

/** Sample values for the other inputs: text slots get ordinary words. */
const textSample = (scalar: string) =>
  scalar === 'ID' ? randomUUID() : scalar === 'PAN' ? withCheckDigit('453929662013115') : 'Astor Piazzolla';

/** The mutation with every argument passed as a variable, and the variables with `text` at the slot's place. */
const request = (slot: InputSlot, text: string) => requestWithValueAt(slot, slot.field.args, text, textSample);

describe('the schema walk', () => {
  it('finds the free text clients store: names and failure messages (and every string a mutation takes)', () => {
    const found = textSlots().map((slot) => `${slot.field.name}.${slot.path.join('.')}`);
    expect(found).toEqual(
      expect.arrayContaining(['createCreditCard.input.name', 'createCreditCards.inputs.name', 'markCardsFailed.error']),
    );
  });
});

describe.each(backendSets())('free text refuses card numbers in every client-stored string [$name]', (set) => {
  const context = useTestApi(set);

  const cardCount = async () => (await context.backends.database.db.select().from(creditCards)).length;

  it.each(textSlots().map((slot) => [`${slot.field.name}.${slot.path.join('.')}`, slot] as const))(
    '%s refuses disguised PANs with BAD_USER_INPUT, stores nothing and echoes nothing',
    async (_name, slot) => {
      const token = await context.api.token(...ALL_ROLES);
      const control = await context.api.gql(request(slot, 'Astor Piazzolla, 12 Libertango St').query, {
        token,
        variables: request(slot, 'Astor Piazzolla, 12 Libertango St').variables,
      });
      expect(JSON.stringify(control.errors ?? []), 'ordinary text is not taken for a card number').not.toMatch(
        /card number|NUL/,
      );
      const before = await cardCount();
      await fc.assert(
        fc.asyncProperty(disguisedPan, async ({ pan, text }) => {
          const { query, variables } = request(slot, text);
          const response = await context.api.gql(query, { token, variables });
          expect(response.status).toBeLessThan(500);
          expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          expect(response.errors?.[0]?.message).toMatch(/card number/);
          expect(JSON.stringify(response).normalize('NFKC').replace(/\D/g, '')).not.toContain(pan);
        }),
        { numRuns: RUNS_PER_FIELD },
      );
      expect(await cardCount()).toBe(before);
    },
  );

  it('leaves ids alone: about 1 UUID in 80 holds a Luhn-valid digit run, and ids are not stored text', async () => {
    const id = '45392966-2013-1157-a000-000000000000';
    expect(containsPan(id), 'this id reads as a card number to the detector').toBe(true);
    const response = await context.api.gql('mutation ($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id } }', {
      role: 'processor',
      variables: { ids: [id] },
    });
    expect(response).toEqual({ status: 200, data: { markCardsProcessed: [] } });
  });

  it('answers a NUL in a failure message with BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
    const response = await context.api.gql(
      'mutation ($ids: [ID!]!, $error: String!) { markCardsFailed(ids: $ids, error: $error) { id } }',
      { role: 'processor', variables: { ids: [randomUUID()], error: 'gateway\u0000down' } },
    );
    expect(response.status).toBe(200);
    expect(response.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
      ['BAD_USER_INPUT', 'error must not contain NUL characters'],
    ]);
  });
});

/**
 * GraphQL names are `[_A-Za-z][_0-9A-Za-z]*`: a card number fits in one as ASCII digits broken up by
 * underscores. The operation name goes to the log and to the reveal record (which the auditor reads), an
 * alias to the path of logged errors: every name a client chooses must pass the detector.
 */
const panInName = fc
  .record({
    pan: luhnPan,
    gaps: fc.array(fc.constantFrom('', '', '_', '__'), { minLength: 18, maxLength: 18 }),
    head: fc.constantFrom('P', '_', 'card_', 'Q_'),
    tail: fc.constantFrom('', '_', '_retry', 'Cards'),
  })
  .map(({ pan, gaps, head, tail }) => ({
    pan,
    name: `${head}${[...pan].map((digit, index) => (index === 0 ? digit : `${gaps[index - 1]}${digit}`)).join('')}${tail}`,
  }));

/** Each place in a revealing document where a client chooses a name. */
const NAME_PLACES: Record<string, (name: string) => string> = {
  'operation name': (name) => `query ${name} { creditCards(first: 5) { nodes { id pan } } }`,
  alias: (name) => `query { ${name}: creditCards(first: 5) { nodes { id pan } } }`,
  'fragment name': (name) =>
    `query { creditCards(first: 5) { ...${name} } } fragment ${name} on CreditCardConnection { nodes { id pan } }`,
  'variable name': (name) => `query ($${name}: Int) { creditCards(first: $${name}) { nodes { id pan } } }`,
};

describe.each(backendSets())('names a client chooses in a document [$name]', (set) => {
  const { logger, lines: logs } = capturedLogger('trace');
  const context = useTestApi(set, logger);

  beforeAll(async () => {
    const created = await context.api.gql(
      'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id } }',
      {
        role: 'clerk',
        variables: { input: { name: 'Anibal Troilo', pan: withCheckDigit('453929662013115') } },
      },
    );
    expect(created.errors).toBeUndefined();
  });

  const recorded = async () =>
    (await context.backends.database.db.select({ operation: revealEvents.operation }).from(revealEvents)).map(
      (row) => row.operation,
    );

  it('records an ordinary operation name (the control: a name in a document that runs is stored)', async () => {
    const response = await context.api.gql(NAME_PLACES['operation name']?.('SupportCards_4539') ?? '', {
      role: 'support',
    });
    expect(response.errors).toBeUndefined();
    expect(await recorded()).toContain('SupportCards_4539');
  });

  it.each(Object.entries(NAME_PLACES))(
    'refuses a card number in the %s with BAD_USER_INPUT before anything runs: no echo, no reveal record, no log',
    async (_place, document) => {
      const token = await context.api.token('support');
      const before = await recorded();
      await fc.assert(
        fc.asyncProperty(panInName, async ({ pan, name }) => {
          const logsBefore = logs.length;
          const response = await context.api.gql(document(name), { token, variables: {} });
          expect(response.status).toBe(400);
          expect(response.data ?? null).toBeNull();
          expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          expect(response.errors?.[0]?.message).toMatch(/card number/);
          expect(JSON.stringify(response).replace(/\D/g, '')).not.toContain(pan);
          expect(logs.slice(logsBefore).join('\n').replace(/\D/g, '')).not.toContain(pan);
        }),
        { numRuns: RUNS_PER_FIELD },
      );
      expect(await recorded()).toEqual(before);
    },
  );
});
