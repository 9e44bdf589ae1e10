import type { ApiProcess } from './api-process.ts';
import { randomCards } from './cards.ts';
import { graphql } from './graphql-client.ts';
import type { Scenario } from './scenario.ts';
import { CREATE_MANY } from './scenarios.ts';

const BY_ID = 'query ById($id: ID!) { creditCard(id: $id) { id name pan } }';
const BY_PAN = 'query ByPan($pan: PAN!) { creditCardsByPan(pan: $pan) { id name pan } }';

/**
 * Finding one card among all stored, as clerk: by id (a primary-key scan, no transit call), then by
 * number (the blind index: one transit HMAC call, the existence budget's reservation, one index scan,
 * the reveal record's entry). `count` known cards are stored first (not measured); each is looked up
 * once each way, with the answer checked. Lookups by number are spread over clerks (`clerkNamed`), a
 * hundred each, so that the existence budget (200 an hour per caller) does not stop the run.
 */
export async function runLookups(
  api: ApiProcess,
  clerk: string,
  clerkNamed: (subject: string) => Promise<string>,
  count: number,
  byId: Scenario,
  byPan: Scenario,
): Promise<void> {
  const cards = randomCards(count);
  const created = await graphql<{ createCreditCards: Array<{ id: string }> }>(api.url, clerk, CREATE_MANY, {
    inputs: cards,
  });
  const ids = created.createCreditCards.map((card) => card.id);
  await byId.run(count, 1, async (index) => {
    const found = await graphql<{ creditCard: { id: string } | null }>(api.url, clerk, BY_ID, { id: ids[index] });
    if (found.creditCard?.id !== ids[index]) throw new Error('lookup by id found another card');
  });
  const lookupClerks = await Promise.all(
    Array.from({ length: Math.ceil(count / 100) }, (_, n) => clerkNamed(`bench-lookup-clerk-${n}`)),
  );
  await byPan.run(count, 1, async (index) => {
    const token = lookupClerks[Math.floor(index / 100)] as string;
    const found = await graphql<{ creditCardsByPan: Array<{ id: string }> }>(api.url, token, BY_PAN, {
      pan: cards[index]?.pan,
    });
    if (!found.creditCardsByPan.some((card) => card.id === ids[index])) {
      throw new Error('lookup by number did not find its card');
    }
  });
}
