import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecryptItem, EncryptItem, Transit } from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets, testConfig } from '../support/backends.ts';
import { CREATE_CARDS, countCards } from '../support/cards.ts';
import { panFor } from '../support/luhn-pans.ts';

const LIMITS = { MAX_PAGE_SIZE: '20', MAX_BULK_SIZE: '5' };
const CARDS = 20;

/** The real backend, with the values each operation sent to it counted. */
function counted(transit: Transit, sent: { decrypt: number; encrypt: number }): Transit {
  return new Proxy(transit, {
    get(target, property, receiver) {
      if (property === 'decrypt')
        return (key: string, items: readonly DecryptItem[]) => {
          sent.decrypt += items.length;
          return target.decrypt(key, items);
        };
      if (property === 'encrypt')
        return (key: string, items: readonly EncryptItem[]) => {
          sent.encrypt += items.length;
          return target.encrypt(key, items);
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The attack of issue 15: 15 aliases of one page each, the page size in a variable. */
const ALIASED_PAGES = `query ($n: Int) {
  ${Array.from({ length: 15 }, (_, i) => `p${i}: creditCards(first: $n) { ...page }`).join('\n  ')}
}
fragment page on CreditCardConnection { nodes { id pan } }`;

const ALIASED_CREATES = `mutation ($a: [CreditCardInput!]!, $b: [CreditCardInput!]!, $c: [CreditCardInput!]!) {
  a: createCreditCards(inputs: $a) { id }
  b: createCreditCards(inputs: $b) { id }
  c: createCreditCards(inputs: $c) { id }
}`;

const inputs = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `Budget ${from + i}`, pan: panFor(from + i) }));

describe('per-request budgets default to the page and bulk size', () => {
  it('MAX_DECRYPTS_PER_REQUEST = MAX_PAGE_SIZE, MAX_ENCRYPTS_PER_REQUEST = MAX_BULK_SIZE unless set', () => {
    expect(testConfig(LIMITS).limits).toMatchObject({ maxDecryptsPerRequest: 20, maxEncryptsPerRequest: 5 });
    expect(
      testConfig({ ...LIMITS, MAX_DECRYPTS_PER_REQUEST: '7', MAX_ENCRYPTS_PER_REQUEST: '3' }).limits,
    ).toMatchObject({ maxDecryptsPerRequest: 7, maxEncryptsPerRequest: 3 });
  });
});

describe.each(backendSets())('per-request budgets, counted as the request runs [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const sent = { decrypt: 0, encrypt: 0 };

  beforeAll(async () => {
    const opened = await set.open(LIMITS);
    backends = { ...opened, transit: counted(opened.transit, sent) };
    api = await startTestApi(backends);
    for (let from = 0; from < CARDS; from += 5) {
      const created = await api.gql(CREATE_CARDS, { role: 'clerk', variables: { inputs: inputs(from, 5) } });
      expect(created.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('15 aliased pages through a fragment and a variable: MAX_DECRYPTS_PER_REQUEST values decrypted, the rest refused', async () => {
    sent.decrypt = 0;
    const answer = await api.gql<Record<string, { nodes: Array<{ id: string; pan: string | null }> }>>(ALIASED_PAGES, {
      role: 'processor',
      variables: { n: CARDS },
    });
    const pans = Object.values(answer.data ?? {}).flatMap((page) => page.nodes.map((card) => card.pan));
    expect(pans).toHaveLength(15 * CARDS);
    const plaintext = pans.filter((pan) => pan !== null);
    expect(plaintext).toHaveLength(20);
    expect(new Set(plaintext)).toEqual(new Set(inputs(0, CARDS).map((card) => card.pan)));
    const errors = answer.errors ?? [];
    expect(errors).toHaveLength(15 * CARDS - 20);
    expect(new Set(errors.map((error) => error.extensions?.code))).toEqual(new Set(['REQUEST_BUDGET_EXCEEDED']));
    expect(errors[0]?.message).toBe(
      'CreditCard.pan: this request may decrypt at most 20 values; 20 already taken, 1 more refused',
    );
    expect(sent.decrypt).toBe(20);
    const metrics = await (await fetch(api.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toContain(`transitql_budget_refusals_total{operation="decrypt"} ${15 * CARDS - 20}`);
  });

  it('a masked reveal draws on the same budget', async () => {
    const answer = await api.gql<Record<string, { nodes: Array<{ pan: string | null }> }>>(
      'query ($n: Int) { a: creditCards(first: $n) { nodes { pan } } b: creditCards(first: $n) { nodes { pan } } }',
      { role: 'support', variables: { n: CARDS } },
    );
    const pans = Object.values(answer.data ?? {}).flatMap((page) => page.nodes.map((card) => card.pan));
    expect(pans.filter((pan) => pan?.startsWith('************'))).toHaveLength(CARDS);
    expect(pans.filter((pan) => pan === null)).toHaveLength(CARDS);
    expect(answer.errors).toHaveLength(CARDS);
  });

  it('the next request has its own budget', async () => {
    const answer = await api.gql(ALIASED_PAGES.replace(/p[1-9]\d*: .*\n/g, ''), {
      role: 'processor',
      variables: { n: CARDS },
    });
    expect(answer.errors).toBeUndefined();
  });

  // Mutation fields run one after another and are non-null, so the refused one ends the operation:
  // the ones before it are stored, it and the ones after it are not.
  it('aliased bulk creates: the create that would exceed MAX_ENCRYPTS_PER_REQUEST fails whole, nothing of it or after it encrypted or stored', async () => {
    const before = await countCards(backends);
    sent.encrypt = 0;
    const answer = await api.gql<Record<string, Array<{ id: string }> | null>>(ALIASED_CREATES, {
      role: 'clerk',
      variables: { a: inputs(100, 3), b: inputs(200, 3), c: inputs(300, 2) },
    });
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.map((error) => [error.path, error.extensions?.code, error.message])).toEqual([
      [
        ['b'],
        'REQUEST_BUDGET_EXCEEDED',
        'Mutation.createCreditCards: this request may encrypt at most 5 values; 3 already taken, 3 more refused',
      ],
    ]);
    expect(sent.encrypt).toBe(3);
    expect(await countCards(backends)).toBe(before + 3);
  });

  it('15 aliased bulk creates of MAX_BULK_SIZE each store one bulk, not fifteen', async () => {
    const before = await countCards(backends);
    const mutation = `mutation ($in: [CreditCardInput!]!) {
      ${Array.from({ length: 15 }, (_, i) => `c${i}: createCreditCards(inputs: $in) { id }`).join('\n')}
    }`;
    const answer = await api.gql(mutation, { role: 'clerk', variables: { in: inputs(400, 5) } });
    expect(answer.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['c1'], 'REQUEST_BUDGET_EXCEEDED'],
    ]);
    expect(await countCards(backends)).toBe(before + 5);
  });
});
