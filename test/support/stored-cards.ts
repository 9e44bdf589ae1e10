import { randomUUID } from 'node:crypto';
import { CardRepository } from '../../src/cards/card-repository.ts';
import type { Backends } from './backends.ts';
import { panFor } from './luhn-pans.ts';

/**
 * Stores `count` cards fast: encrypts their PANs and computes their blind index (HMAC under the
 * latest card-pan-index version) in transit batches, then bulk-inserts them. Answers each stored card's PAN by card name.
 */
export async function storeCards(backends: Backends, count: number, firstNumber = 0): Promise<Map<string, string>> {
  const cards = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    name: `Card ${firstNumber + index}`,
    pan: panFor(firstNumber + index),
  }));
  const results = await backends.transit.encrypt(
    'card-pan',
    cards.map((card) => ({ plaintext: Buffer.from(card.pan), context: Buffer.from(card.id) })),
  );
  const hmacs = await backends.transit.hmac(
    'card-pan-index',
    cards.map((card) => ({ input: Buffer.from(card.pan) })),
  );
  const encrypted = cards.map((card, index) => {
    const result = results[index];
    const hmac = hmacs[index];
    if (result === undefined || !result.ok) throw result?.error ?? new Error('missing encrypt result');
    if (hmac === undefined || !hmac.ok) throw hmac?.error ?? new Error('missing hmac result');
    return {
      id: card.id,
      name: card.name,
      pan: result.value,
      panIndex: { latest: hmac.value, candidates: [hmac.value] },
    };
  });
  const repository = new CardRepository(backends.database.db);
  for (let start = 0; start < encrypted.length; start += 2000) {
    await repository.createMany(encrypted.slice(start, start + 2000));
  }
  return new Map(cards.map((card) => [card.name, card.pan]));
}
