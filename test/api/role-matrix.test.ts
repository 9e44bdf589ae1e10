import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARD, CREATE_CARDS, countCards, PANS } from '../support/cards.ts';

interface Caller {
  name: string;
  /** undefined: no Authorization header at all. */
  roles: string[] | undefined;
  /** What this caller reads in `pan`, given the stored ciphertext and the plaintext. */
  sees: ((stored: string, plaintext: string) => string) | 'UNAUTHENTICATED' | 'FORBIDDEN';
}

const ciphertext = (stored: string) => stored;
const plaintext = (_: string, clear: string) => clear;
const last4 = (_: string, clear: string) => `${'*'.repeat(clear.length - 4)}${clear.slice(-4)}`;

const CALLERS: Caller[] = [
  { name: 'clerk', roles: ['clerk'], sees: ciphertext },
  { name: 'support', roles: ['support'], sees: last4 },
  { name: 'processor', roles: ['processor'], sees: plaintext },
  { name: 'key-admin', roles: ['key-admin'], sees: ciphertext },
  { name: 'support+processor', roles: ['support', 'processor'], sees: plaintext },
  { name: 'clerk+support', roles: ['clerk', 'support'], sees: last4 },
  { name: 'no token', roles: undefined, sees: 'UNAUTHENTICATED' },
  { name: 'unknown role', roles: ['auditor'], sees: 'FORBIDDEN' },
];

/** Who may call each mutation; everyone else gets FORBIDDEN (or UNAUTHENTICATED without a token). */
const MUTATIONS = {
  createCreditCard: ['clerk'],
  createCreditCards: ['clerk'],
  markCardsProcessed: ['processor'],
  rotateKey: ['key-admin'],
} as const;

const READ = `query Read($id: ID!) {
  creditCards(first: 10) { nodes { ...CardFields a: pan holder: name ... on CreditCard { inline: pan } } }
  one: creditCard(id: $id) { pan again: pan }
}
fragment CardFields on CreditCard { id name pan panKeyVersion }`;

describe.each(backendSets())('role matrix over HTTP [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const cards: Array<{ id: string; name: string; pan: string; plaintext: string }> = [];

  const bearer = async (caller: Caller) =>
    caller.roles === undefined ? {} : { token: await api.token(...caller.roles) };

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    for (const [name, pan] of [
      ['Carlos Gardel', PANS.carlos],
      ['Aníbal Troilo', PANS.anibal],
    ] as const) {
      const created = await api.gql<{ createCreditCard: { id: string; pan: string } }>(CREATE_CARD, {
        role: 'clerk',
        variables: { input: { name, pan } },
      });
      expect(created.errors).toBeUndefined();
      cards.push({
        id: created.data?.createCreditCard.id ?? '',
        name,
        pan: created.data?.createCreditCard.pan ?? '',
        plaintext: pan,
      });
    }
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it.each(CALLERS)(
    '$name reads what the schema allows, through aliases, fragments and inline fragments',
    async (caller) => {
      const [first] = cards;
      const answer = await api.gql(READ, { ...(await bearer(caller)), variables: { id: first?.id } });
      if (typeof caller.sees === 'string') {
        expect(answer.data).toBeNull();
        // creditCards is non-null, so its error nulls the whole answer; every error reported carries the code.
        expect(answer.errors?.length).toBeGreaterThan(0);
        for (const error of answer.errors ?? []) expect(error.extensions?.code).toBe(caller.sees);
        expect(JSON.stringify(answer)).not.toContain('vault:');
        return;
      }
      const sees = caller.sees;
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({
        creditCards: {
          nodes: cards.map((card) => ({
            id: card.id,
            name: card.name,
            pan: sees(card.pan, card.plaintext),
            panKeyVersion: 1,
            a: sees(card.pan, card.plaintext),
            holder: card.name,
            inline: sees(card.pan, card.plaintext),
          })),
        },
        one: { pan: sees(first?.pan ?? '', PANS.carlos), again: sees(first?.pan ?? '', PANS.carlos) },
      });
    },
  );

  it.each(CALLERS)('$name reads transit key details only as key-admin', async (caller) => {
    const answer = await api.gql<{ transitKey: { name: string } }>(
      '{ transitKey(name: "card-pan") { name latestVersion } }',
      await bearer(caller),
    );
    if (caller.name === 'key-admin') {
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.transitKey.name).toBe('card-pan');
    } else {
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual([
        caller.roles === undefined ? 'UNAUTHENTICATED' : 'FORBIDDEN',
      ]);
    }
  });

  it.each(CALLERS)('$name may call only the mutations its roles allow; refused ones write nothing', async (caller) => {
    for (const [mutation, allowed] of Object.entries(MUTATIONS)) {
      if (caller.roles?.some((role) => (allowed as readonly string[]).includes(role))) continue;
      const before = { cards: await countCards(backends), key: await backends.transit.readKey('card-pan') };
      const attempts: Record<string, { query: string; variables: Record<string, unknown> }> = {
        createCreditCard: { query: CREATE_CARD, variables: { input: { name: 'Intruder', pan: PANS.visa } } },
        createCreditCards: { query: CREATE_CARDS, variables: { inputs: [{ name: 'Intruder', pan: PANS.visa }] } },
        markCardsProcessed: {
          query: 'mutation Mark($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id status } }',
          variables: { ids: cards.map((card) => card.id) },
        },
        rotateKey: { query: 'mutation { rotateKey(name: "card-pan") { latestVersion } }', variables: {} },
      };
      const attempt = attempts[mutation];
      const answer = await api.gql(attempt?.query ?? '', { ...(await bearer(caller)), variables: attempt?.variables });
      expect(
        answer.errors?.map((error) => error.extensions?.code),
        mutation,
      ).toEqual([caller.roles === undefined ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
      expect(answer.data, mutation).toBeNull();
      expect(await countCards(backends), mutation).toBe(before.cards);
      expect((await backends.transit.readKey('card-pan')).latestVersion, mutation).toBe(before.key.latestVersion);
      const statuses = await api.gql<{ creditCards: { nodes: Array<{ status: string }> } }>(
        '{ creditCards { nodes { status } } }',
        { role: 'clerk' },
      );
      expect(
        statuses.data?.creditCards.nodes.every((card) => card.status === 'PENDING'),
        mutation,
      ).toBe(true);
    }
  });

  it('the allowed roles can call their mutations', async () => {
    const created = await api.gql<{ createCreditCards: Array<{ pan: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: { inputs: [{ name: 'Roberto Goyeneche', pan: PANS.mastercard }] },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data?.createCreditCards[0]?.pan).toMatch(/^vault:v1:/);

    const claimed = await api.gql<{ claimCards: Array<{ id: string }> }>(
      'mutation { claimCards(limit: 1000) { id } }',
      {
        role: 'processor',
      },
    );
    expect(claimed.data?.claimCards.map((card) => card.id)).toContain(cards[0]?.id);
    const marked = await api.gql<{ markCardsProcessed: Array<{ id: string; status: string }> }>(
      'mutation Mark($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id status } }',
      { role: 'processor', variables: { ids: [cards[0]?.id] } },
    );
    expect(marked.data?.markCardsProcessed).toEqual([{ id: cards[0]?.id, status: 'PROCESSED' }]);

    const rotated = await api.gql<{ rotateKey: { latestVersion: number } }>(
      'mutation { rotateKey(name: "card-pan") { latestVersion } }',
      { role: 'key-admin' },
    );
    expect(rotated.data?.rotateKey.latestVersion).toBe(2);
  });
});
