import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creditCards } from '../../src/db/schema.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS, overwritePan, PANS } from '../support/cards.ts';

const LIST = '{ creditCards(first: 10) { nodes { id name pan status } } }';

interface Listed {
  creditCards: { nodes: Array<{ id: string; name: string; pan: string | null; status: string }> };
}

describe.each(backendSets())('a card number is bound to its card [$name]', (set) => {
  const context = useTestApi(set);

  it('PANs swapped between two rows in SQL both fail with DECRYPTION_FAILED, the rest of the response stands', async () => {
    const { api, backends } = context;
    const created = await api.gql<{ createCreditCards: Array<{ id: string; pan: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'Carlos Gardel', pan: PANS.carlos },
          { name: 'Anibal Troilo', pan: PANS.anibal },
          { name: 'Astor Piazzolla', pan: PANS.visa },
        ],
      },
    });
    expect(created.errors).toBeUndefined();
    const [carlos, anibal] = created.data?.createCreditCards ?? [];
    if (carlos === undefined || anibal === undefined) throw new Error('cards not created');
    await overwritePan(backends, carlos.id, anibal.pan);
    await overwritePan(backends, anibal.id, carlos.pan);

    const answer = await api.gql<Listed>(LIST, { role: 'processor' });
    expect(answer.data?.creditCards.nodes.map((card) => [card.name, card.pan, card.status])).toEqual([
      ['Carlos Gardel', null, 'PENDING'],
      ['Anibal Troilo', null, 'PENDING'],
      ['Astor Piazzolla', PANS.visa, 'PENDING'],
    ]);
    expect(answer.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.reason])).toEqual([
      [['creditCards', 'nodes', 0, 'pan'], 'DECRYPTION_FAILED', 'INVALID_CIPHERTEXT'],
      [['creditCards', 'nodes', 1, 'pan'], 'DECRYPTION_FAILED', 'INVALID_CIPHERTEXT'],
    ]);
    const text = JSON.stringify(answer);
    expect(text).not.toContain(PANS.carlos);
    expect(text).not.toContain(PANS.anibal);
  });

  it('pan_index and name are NOT bound to their row: a database writer who swaps them misdirects lookups and names, yet reveals no PAN outside its own row', async () => {
    const { api, backends } = context;
    const created = await api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'Osvaldo Pugliese', pan: PANS.mastercard },
          { name: 'Juan DArienzo', pan: '4000056655665556' },
        ],
      },
    });
    const [osvaldo, juan] = created.data?.createCreditCards ?? [];
    if (osvaldo === undefined || juan === undefined) throw new Error('cards not created');
    const row = async (id: string) =>
      (await backends.database.db.select().from(creditCards).where(eq(creditCards.id, id)))[0];
    const [before, other] = [await row(osvaldo.id), await row(juan.id)];
    if (before === undefined || other === undefined) throw new Error('rows not found');
    const { db } = backends.database;
    await db
      .update(creditCards)
      .set({ panIndex: other.panIndex, name: other.name })
      .where(eq(creditCards.id, osvaldo.id));
    await db
      .update(creditCards)
      .set({ panIndex: before.panIndex, name: before.name })
      .where(eq(creditCards.id, juan.id));

    const lookup = await api.gql<{ creditCardsByPan: Array<{ id: string; name: string; pan: string | null }> }>(
      `query ($pan: PAN!) { creditCardsByPan(pan: $pan) { id name pan } }`,
      { role: 'processor', variables: { pan: PANS.mastercard } },
    );
    // Asked for Osvaldo's number, the lookup answers Juan's card under Osvaldo's name: the wrong card,
    // with its own PAN, which still decrypts because the ciphertext is bound to the row it sits in.
    expect(lookup.errors).toBeUndefined();
    expect(lookup.data?.creditCardsByPan).toEqual([{ id: juan.id, name: 'Osvaldo Pugliese', pan: '4000056655665556' }]);
  });

  it('fixes the card id on the server: a client cannot choose it', async () => {
    const { api } = context;
    const answer = await api.gql(
      'mutation { createCreditCard(input: { id: "00000000-0000-4000-8000-000000000000", name: "X", pan: "4111111111111111" }) { id } }',
      { role: 'clerk' },
    );
    expect(answer.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
