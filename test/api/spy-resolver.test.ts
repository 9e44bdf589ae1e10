import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NewCard } from '../../src/cards/card-repository.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARD, CREATE_CARDS, PANS } from '../support/cards.ts';

describe.each(backendSets())('mutation resolvers receive ciphertext only [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let received: NewCard[];

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    received = [];
    const cards = api.app.services.cards;
    const createMany = cards.createMany.bind(cards);
    // Records what the resolvers pass down, then stores it for real.
    vi.spyOn(cards, 'createMany').mockImplementation(async (input) => {
      received.push(...input.map((card) => ({ ...card })));
      return createMany(input);
    });
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  /** Card PANs are bound to the card id the directive fixed before encrypting. */
  const plaintextOf = async ({ pan: ciphertext, id }: NewCard) => {
    const [result] = await backends.transit.decrypt('card-pan', [{ ciphertext, context: Buffer.from(id) }]);
    return result?.ok === true ? result.value.toString('utf8') : undefined;
  };

  it('createCreditCard, createCreditCards and literal inputs hand the repository vault ciphertext', async () => {
    const single = await api.gql(CREATE_CARD, {
      role: 'clerk',
      variables: { input: { name: 'Carlos Gardel', pan: '4539 2966 2013 1157' } },
    });
    const bulk = await api.gql(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'Aníbal Troilo', pan: PANS.anibal },
          { name: 'Visa Test', pan: '4111-1111-1111-1111' },
        ],
      },
    });
    const literal = await api.gql(
      `mutation { createCreditCard(input: { name: "Master Card", pan: "${PANS.mastercard}" }) { id } }`,
      { role: 'clerk' },
    );
    for (const answer of [single, bulk, literal]) expect(answer.errors).toBeUndefined();

    expect(received.map((card) => card.name)).toEqual(['Carlos Gardel', 'Aníbal Troilo', 'Visa Test', 'Master Card']);
    const serialized = JSON.stringify(received);
    for (const pan of Object.values(PANS)) {
      expect(serialized).not.toContain(pan);
      expect(serialized).not.toContain(Buffer.from(pan).toString('base64'));
    }
    for (const card of received) expect(card.pan).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    expect(await Promise.all(received.map((card) => plaintextOf(card)))).toEqual([
      PANS.carlos,
      PANS.anibal,
      PANS.visa,
      PANS.mastercard,
    ]);
  });
});
