import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';

const CREATE = `mutation Create($input: CreditCardInput!) {
  createCreditCard(input: $input) { id name pan panKeyVersion status }
}`;
const LIST = '{ creditCards(first: 100) { nodes { name pan panKeyVersion } } }';

describe.each(backendSets())('the original walkthrough over HTTP [$name]', (set) => {
  const suite = useTestApi(set);

  it('encrypts on create, rotates, and decrypts v1 and v2 values for the processor only', async () => {
    const carlos = await suite.api.gql<{ createCreditCard: { pan: string; panKeyVersion: number } }>(CREATE, {
      role: 'clerk',
      variables: { input: { name: 'Carlos Gardel', pan: '4539296620131157' } },
    });
    expect(carlos.errors).toBeUndefined();
    expect(carlos.data?.createCreditCard.pan).toMatch(/^vault:v1:/);

    const asClerk = await suite.api.gql<{ creditCards: { nodes: Array<{ pan: string }> } }>(LIST, { role: 'clerk' });
    expect(asClerk.data?.creditCards.nodes.map((card) => card.pan)).toEqual([carlos.data?.createCreditCard.pan]);

    const rotated = await suite.api.gql<{ rotateKey: { latestVersion: number } }>(
      'mutation { rotateKey(name: "card-pan") { latestVersion } }',
      { role: 'key-admin' },
    );
    expect(rotated.data?.rotateKey.latestVersion).toBe(2);

    const anibal = await suite.api.gql<{ createCreditCard: { pan: string; panKeyVersion: number } }>(CREATE, {
      role: 'clerk',
      variables: { input: { name: 'Aníbal Troilo', pan: '2720 9971 3088 7021' } },
    });
    expect(anibal.data?.createCreditCard.pan).toMatch(/^vault:v2:/);
    expect(anibal.data?.createCreditCard.panKeyVersion).toBe(2);

    const asProcessor = await suite.api.gql<{ creditCards: { nodes: Array<{ name: string; pan: string }> } }>(LIST, {
      role: 'processor',
    });
    expect(asProcessor.errors).toBeUndefined();
    expect(asProcessor.data?.creditCards.nodes).toEqual([
      { name: 'Carlos Gardel', pan: '4539296620131157', panKeyVersion: 1 },
      { name: 'Aníbal Troilo', pan: '2720997130887021', panKeyVersion: 2 },
    ]);

    const asSupport = await suite.api.gql<{ creditCards: { nodes: Array<{ pan: string }> } }>(LIST, {
      role: 'support',
    });
    expect(asSupport.data?.creditCards.nodes.map((card) => card.pan)).toEqual(['************1157', '************7021']);
  });
});
