import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_JWT_SECRET: randomBytes(48).toString('base64'),
  MAX_QUERY_COST: '100',
  MAX_BULK_SIZE: '5',
};

const embedded = backendSets().filter((set) => set.name === 'embedded');

describe.each(embedded)('GraphQL abuse limits in production [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;

  beforeAll(async () => {
    backends = await set.open(PRODUCTION);
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  const refused = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await api.gql(query, { role: 'clerk', variables });
    expect(response.data ?? null).toBeNull();
    return { status: response.status, messages: (response.errors ?? []).map((error) => error.message) };
  };

  it('refuses a document nested deeper than MAX_QUERY_DEPTH (8)', async () => {
    const deep = `{ ${'a { '.repeat(9)}b${' }'.repeat(9)} }`;
    const { status, messages } = await refused(deep);
    expect(status).toBe(400);
    expect(messages).toContain('Syntax Error: Query depth limit of 8 exceeded, found 10.');
  });

  it('refuses more aliases than MAX_QUERY_ALIASES (15)', async () => {
    const { status, messages } = await refused(
      `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: health`).join(' ')} }`,
    );
    expect(status).toBe(400);
    expect(messages).toEqual(['Syntax Error: Aliases limit of 15 exceeded, found 16.']);
  });

  it('refuses a document of more than MAX_QUERY_TOKENS (1000) tokens with a parse error, not a 500', async () => {
    const { status, messages } = await refused(`{ ${Array.from({ length: 999 }, () => 'health').join(' ')} }`);
    expect(status).toBe(400);
    expect(messages).toEqual(['Syntax Error: Document contains more that 1000 tokens. Parsing aborted.']);
  });

  it('refuses an operation costing more than MAX_QUERY_COST', async () => {
    // objects cost 2, scalars 1, each level down 1.5 times, a literal `first` multiplies: (2 + 1.5 × (2 + 1.5 × 3)) × 20
    const { status, messages } = await refused('{ creditCards(first: 20) { nodes { id name pan } } }');
    expect(status).toBe(400);
    expect(messages).toEqual(['Syntax Error: Query Cost limit of 100 exceeded, found 235.']);
  });

  it('refuses more directives than MAX_QUERY_DIRECTIVES (50)', async () => {
    const { status, messages } = await refused(`{ health ${'@include(if: true) '.repeat(51)}}`);
    expect(status).toBe(400);
    expect(messages).toContain('Syntax Error: Directives limit of 50 exceeded, found 51.');
  });

  it('refuses a page larger than MAX_PAGE_SIZE with BAD_USER_INPUT', async () => {
    const response = await api.gql('query ($first: Int) { creditCards(first: $first) { nodes { id } } }', {
      role: 'clerk',
      variables: { first: 1001 },
    });
    expect(response.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
      ['BAD_USER_INPUT', 'first must be between 1 and 1000'],
    ]);
  });

  it('refuses a bulk create larger than MAX_BULK_SIZE and stores nothing', async () => {
    const inputs = Array.from({ length: 6 }, () => ({ name: 'Bulk', pan: '4539296620131157' }));
    const response = await api.gql(
      'mutation ($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }',
      {
        role: 'clerk',
        variables: { inputs },
      },
    );
    expect(response.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
      ['BAD_USER_INPUT', 'inputs may hold at most 5 items'],
    ]);
    const listed = await api.gql<{ creditCards: { nodes: unknown[] } }>('{ creditCards { nodes { id } } }', {
      role: 'clerk',
    });
    expect(listed.data?.creditCards.nodes).toEqual([]);
  });

  it('refuses cardholder names over 256 characters, holding NUL or holding a card number with BAD_USER_INPUT', async () => {
    const create = 'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id } }';
    const answers = await Promise.all(
      ['x'.repeat(257), 'Nul\u0000Name', 'Carlos 4539 2966 2013 1157'].map((name) =>
        api.gql(create, { role: 'clerk', variables: { input: { name, pan: '4539296620131157' } } }),
      ),
    );
    expect(answers.map((answer) => answer.errors?.map((error) => [error.extensions?.code, error.message]))).toEqual([
      [['BAD_USER_INPUT', 'Variable "$input" got invalid value at "input.name"; name may be at most 256 characters']],
      [['BAD_USER_INPUT', 'Variable "$input" got invalid value at "input.name"; name must not contain NUL characters']],
      [['BAD_USER_INPUT', 'Variable "$input" got invalid value at "input.name"; name must not contain a card number']],
    ]);
    expect(JSON.stringify(answers)).not.toContain('4539 2966');
  });

  it('refuses batched HTTP operations', async () => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ health }' }, { query: '{ health }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('refuses introspection', async () => {
    const response = await api.gql('{ __schema { types { name } } }');
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.validationErrorCode).toBe('INTROSPECTION_DISABLED');
  });

  it('hides field suggestions', async () => {
    const response = await api.gql('{ helth }', { role: 'clerk' });
    expect(response.status).toBe(400);
    expect(response.errors?.map((error) => error.message)).toEqual([
      'Cannot query field "helth" on type "Query". [Suggestion hidden]?',
    ]);
  });
});

const real = backendSets().filter((set) => set.name === 'postgres+openbao');

describe.each(real)('the bulk size limit comes before encryption [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;

  beforeAll(async () => {
    backends = await set.open({ MAX_BULK_SIZE: '5' });
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('refuses an oversized bulk create without sending one value to OpenBao', async () => {
    const bulk = 'mutation ($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }';
    const card = { name: 'Bulk', pan: '4539296620131157' };
    backends.vaultRequests.length = 0;
    const refused = await api.gql(bulk, { role: 'clerk', variables: { inputs: Array(6).fill(card) } });
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(backends.vaultRequests.filter((path) => path.includes('/encrypt/'))).toEqual([]);

    const accepted = await api.gql(bulk, { role: 'clerk', variables: { inputs: Array(5).fill(card) } });
    expect(accepted.errors).toBeUndefined();
    expect(backends.vaultRequests.filter((path) => path.includes('/encrypt/'))).toHaveLength(1);
  });
});
