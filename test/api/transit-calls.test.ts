import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARDS } from '../support/cards.ts';
import { panFor } from '../support/luhn-pans.ts';

const CARDS = 1000;

describe.each(backendSets())('transit calls for a page of 1,000 cards [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const pans = Array.from({ length: CARDS }, (_, index) => panFor(index, '453929'));

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    const created = await api.gql<{ createCreditCards: unknown[] }>(CREATE_CARDS, {
      role: 'clerk',
      variables: { inputs: pans.map((pan, index) => ({ name: `Card ${index}`, pan })) },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data?.createCreditCards).toHaveLength(CARDS);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('listing them as processor is one decrypt batch, as few HTTP calls as the cap on JSON strings per request allows', async () => {
    const decrypt = vi.spyOn(backends.transit, 'decrypt');
    backends.vaultRequests.length = 0;

    const listed = await api.gql<{ creditCards: { nodes: Array<{ pan: string }> } }>(
      `{ creditCards(first: ${CARDS}) { nodes { pan } } }`,
      { role: 'processor' },
    );

    const requests = [...backends.vaultRequests];
    expect(listed.errors).toBeUndefined();
    expect(listed.data?.creditCards.nodes.map((card) => card.pan)).toEqual(pans);
    expect(decrypt.mock.calls.map(([key, items]) => [key, items.length])).toEqual([['card-pan', CARDS]]);
    if (backends.name === 'embedded') {
      expect(requests).toEqual([]);
    } else {
      // Card PANs are bound to their rows: each item is a ciphertext and a context, four JSON strings,
      // so a request under OpenBao's default cap of 1,000 strings holds 249 of them (with `batch_input`).
      const chunkSize = 249;
      const mount = (backends.config.transit as { mount: string }).mount;
      const decrypts = requests.filter((path) => path === `/${mount}/decrypt/card-pan`);
      expect(decrypts).toHaveLength(Math.ceil(CARDS / chunkSize));
      // Besides the decrypts, one HMAC seals the request's reveal record, and the record's checkpoint is
      // written to the KV mount beside transit (in the background: it may or may not have gone yet).
      const checkpoint = `/${mount}-anchor/data/reveal-record`;
      expect(requests.filter((path) => path !== `/${mount}/decrypt/card-pan` && path !== checkpoint)).toEqual([
        `/${mount}/hmac/reveal-seal`,
      ]);
      expect(requests.filter((path) => path === checkpoint).length).toBeLessThanOrEqual(1);
      console.log(
        `[transit-calls] ${CARDS} cards listed as processor: ${requests.length} HTTP calls, chunk size ${chunkSize}`,
      );
    }
  });
});
