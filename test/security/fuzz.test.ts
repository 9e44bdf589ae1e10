import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { luhnPan } from './support/pans.ts';
import { leaksIn } from './support/response-checks.ts';

/** Generated inputs per backend set, split across the properties (about 1,000 per `npm test` on both sets); `npm run test:fuzz` raises it. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const PROPERTIES = 5;
const runsEach = Math.max(1, Math.round(RUNS / PROPERTIES));

const controlText = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) });
const hugeText = fc
  .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 10_000, max: 200_000 }))
  .map(([chunk, size]) => chunk.repeat(Math.ceil(size / chunk.length)).slice(0, size));
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  controlText,
  hugeText,
  fc.constantFrom('', ' ', '\u0000', 'null', '{"$ne":null}', "'; drop table cards; --", '{{7*7}}', '\\'),
);
const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((list) => list.join(''));
/** Card numbers, good and bad: valid Luhn, failed check digit, wrong length, separators, letters, control characters. */
const panLike = fc.oneof(
  luhnPan,
  digits(12, 19),
  digits(0, 40),
  luhnPan.map((pan) => pan.replace(/(\d{4})/g, '$1 ').trim()),
  luhnPan.map((pan) => pan.replace(/(\d{4})/g, '$1-')),
  fc.tuple(luhnPan, controlText).map(([pan, noise]) => `${pan.slice(0, 6)}${noise}${pan.slice(6)}`),
  fc.tuple(luhnPan, fc.string({ maxLength: 3 })).map(([pan, noise]) => `${noise}${pan}${noise}`),
  hugeText,
  text,
);
/** Anything a JSON body can hold, nested, for the wrong-type cases. */
const { tree: jsonValue } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
    panLike,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('tree'), { maxKeys: 4 }),
  ),
}));
const cardInput = fc.oneof(
  fc.record({ name: text, pan: panLike }),
  fc.record({ name: jsonValue, pan: jsonValue }, { requiredKeys: [] }),
  jsonValue,
);
const role = fc.constantFrom('clerk', 'support', 'processor', 'key-admin', undefined);

/** A document nested `depth` levels deep, valid or not. */
const deepDocument = fc
  .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('{', '{ a ', '[', '(', 'creditCards { nodes '))
  .map(([depth, opener]) => `${opener.repeat(depth)}`);
const tokenSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom('{', '}', '(', ')', ':', '$', '...', '@', '!', '[', ']', '=', '|', '&', '"', '"""', '#'),
      fc.constantFrom('query', 'mutation', 'fragment', 'on', 'creditCards', 'createCreditCard', 'pan', 'first'),
      luhnPan,
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 80 },
  )
  .map((tokens) => tokens.join(' '));

const CREATE = 'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id name pan status } }';
const BULK = 'mutation ($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id pan } }';
const LIST =
  'query ($first: Int, $after: String, $status: CardStatus) { creditCards(first: $first, after: $after, status: $status) { nodes { id name pan panKeyVersion } pageInfo { endCursor hasNextPage } } }';

describe.each(backendSets())('fuzzing the GraphQL API over HTTP [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const tokens = new Map<string, string>();
  let unhandledRejections = 0;
  let sent = 0;
  const internalErrors: string[] = [];
  const countRejection = () => {
    unhandledRejections++;
  };

  beforeAll(async () => {
    process.on('unhandledRejection', countRejection);
    backends = await set.open({ MAX_BULK_SIZE: '20' });
    api = await startTestApi(backends);
    for (const name of ['clerk', 'support', 'processor', 'key-admin']) tokens.set(name, await api.token(name));
  });
  afterAll(async () => {
    process.off('unhandledRejection', countRejection);
    await api?.close();
    await backends?.close();
  });

  /** Posts one body and checks the answer: never 5xx, no stack, no SQL, no card number sent in it. */
  async function post(body: unknown, asRole: string | undefined, inputs: unknown): Promise<void> {
    sent++;
    const response = await fetch(api.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(asRole === undefined ? {} : { authorization: `Bearer ${tokens.get(asRole)}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answer = await response.text();
    expect(response.status, answer.slice(0, 500)).toBeLessThan(500);
    expect(leaksIn(answer, inputs), answer.slice(0, 500)).toEqual([]);
    if (answer.includes('INTERNAL_SERVER_ERROR')) internalErrors.push(answer.slice(0, 300));
  }

  it('createCreditCard with malformed, huge, control-character and wrong-typed inputs', async () => {
    await fc.assert(
      fc.asyncProperty(cardInput, role, fc.boolean(), async (input, asRole, inline) => {
        if (inline && typeof input === 'object' && input !== null && !Array.isArray(input)) {
          const fields = Object.entries(input)
            .map(([name, value]) => `${/^[_A-Za-z]\w*$/.test(name) ? name : 'x'}: ${JSON.stringify(value) ?? 'null'}`)
            .join(', ');
          await post({ query: `mutation { createCreditCard(input: { ${fields} }) { id pan } }` }, asRole, input);
        } else {
          await post({ query: CREATE, variables: { input } }, asRole, input);
        }
      }),
      {
        numRuns: runsEach,
        examples: [
          [{ name: 'nul \u0000 byte', pan: '4539296620131157' }, 'clerk', false],
          [{ name: 'nul \u0000 byte', pan: '4539296620131157' }, 'clerk', true],
          // Found by a CI run: twelve digits that are no card number make a name the API stores and answers.
          [{ name: '000000000001', pan: '0000-0000-0000-' }, 'clerk', false],
        ],
      },
    );
  });

  it('createCreditCards with lists of good and bad cards', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(cardInput, { maxLength: 25 }), jsonValue), role, async (inputs, asRole) => {
        await post({ query: BULK, variables: { inputs } }, asRole, inputs);
      }),
      { numRuns: runsEach },
    );
  });

  it('creditCards, creditCard and markCardsProcessed with wrong-typed arguments', async () => {
    const request = fc.oneof(
      fc
        .record({ first: jsonValue, after: fc.oneof(text, jsonValue), status: fc.oneof(text, jsonValue) })
        .map((variables) => ({ query: LIST, variables })),
      fc.record({ id: fc.oneof(fc.uuid(), text, jsonValue) }).map((variables) => ({
        query: 'query ($id: ID!) { creditCard(id: $id) { id pan } }',
        variables,
      })),
      fc.record({ ids: fc.oneof(fc.array(fc.oneof(fc.uuid(), text)), jsonValue) }).map((variables) => ({
        query: 'mutation ($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id } }',
        variables,
      })),
      fc.tuple(panLike, fc.integer({ min: -(2 ** 40), max: 2 ** 40 })).map(([pan, first]) => ({
        query: `{ creditCards(first: ${first}, after: ${JSON.stringify(pan)}) { nodes { id } } }`,
      })),
    );
    await fc.assert(
      fc.asyncProperty(request, role, async (body, asRole) => {
        await post(body, asRole, body);
      }),
      {
        numRuns: runsEach,
        // found by an earlier run: a backslash before the closing quote hid the enum value from redaction
        examples: [[{ query: LIST, variables: { first: null, after: '', status: '\\000000000000\\' } }, 'clerk']],
      },
    );
  });

  it('deeply nested and malformed documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(deepDocument, tokenSoup, text), role, async (query, asRole) => {
        await post({ query }, asRole, query);
      }),
      { numRuns: runsEach },
    );
  });

  it('request bodies of the wrong shape', async () => {
    const body = fc.oneof(
      jsonValue,
      fc.record({ query: jsonValue, variables: jsonValue, operationName: jsonValue }, { requiredKeys: [] }),
      fc.record({ query: fc.constant(CREATE), variables: fc.oneof(text, jsonValue) }),
      text.map((raw) => `{"query": ${raw}`),
    );
    await fc.assert(
      fc.asyncProperty(body, role, async (payload, asRole) => {
        await post(typeof payload === 'string' ? payload : JSON.stringify(payload ?? null), asRole, payload);
      }),
      { numRuns: runsEach },
    );
  });

  it('saw no unhandled rejection and sent every generated input', () => {
    expect(unhandledRejections).toBe(0);
    expect(internalErrors).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(runsEach * PROPERTIES);
    console.log(`[fuzz ${set.name}] ${sent} generated requests, 0 HTTP 5xx, 0 leaks, 0 unhandled rejections`);
  });
});
