import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { creditCards } from '../../src/db/schema.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';

/** One request may decrypt 10 values (MAX_DECRYPTS_PER_REQUEST defaults to the page size). */
const LIMITS = { MAX_PAGE_SIZE: '10' };

const CREATE_MANY = 'mutation Create($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }';
const CLAIM = 'mutation { claimCards(limit: 10, leaseSeconds: 600) { id pan } }';

type Claimed = Array<{ id: string; pan?: string | null; first?: string | null; second?: string | null }>;

describe.each(backendSets())('claims past the request decrypt budget [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let created = 0;

  beforeAll(async () => {
    backends = await set.open(LIMITS);
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  const tokenFor = (subject: string) => issueToken(backends.config.auth, ['processor'], subject);
  const createCards = async (count: number) => {
    for (let left = count; left > 0; left -= 10) {
      const inputs = Array.from({ length: Math.min(10, left) }, () => {
        created += 1;
        return { name: `Holder ${created}`, pan: panFor(created) };
      });
      expect((await api.gql(CREATE_MANY, { role: 'clerk', variables: { inputs } })).errors).toBeUndefined();
    }
  };
  const leasedTo = async (subject: string) =>
    (
      await backends.database.db
        .select({ id: creditCards.id })
        .from(creditCards)
        .where(eq(creditCards.claimedBy, subject))
    )
      .map((row) => row.id)
      .sort();
  const claimAsOther = async (subject: string) => {
    const answer = await api.gql<{ claimCards: Claimed }>(CLAIM, { token: await tokenFor(subject) });
    expect(answer.errors).toBeUndefined();
    return answer.data?.claimCards ?? [];
  };

  it('two aliased claimCards: no card stays leased whose PAN the caller did not get; the rest are claimable at once', async () => {
    await createCards(16);
    const answer = await api.gql<{ a: Claimed; b: Claimed }>(
      `mutation {
        a: claimCards(limit: 8, leaseSeconds: 600) { id pan }
        b: claimCards(limit: 8, leaseSeconds: 600) { id pan }
      }`,
      { token: await tokenFor('greedy') },
    );
    const cards = [...(answer.data?.a ?? []), ...(answer.data?.b ?? [])];
    const inTheClear = cards.filter((card) => typeof card.pan === 'string' && /^\d+$/.test(card.pan));
    expect(await leasedTo('greedy')).toEqual(inTheClear.map((card) => card.id).sort());
    expect(inTheClear).toHaveLength(10);
    expect(answer.errors).toBeUndefined();
    expect(await claimAsOther('next')).toHaveLength(6);
  });

  it('counts every PAN the claim selects, none for a claim that selects none, and leases nothing once the budget is spent', async () => {
    await createCards(14);
    const answer = await api.gql<{ a: Claimed; b: Claimed; c: Claimed; d: Claimed }>(
      `mutation {
        a: claimCards(limit: 3, leaseSeconds: 600) { id first: pan second: pan }
        b: claimCards(limit: 5, leaseSeconds: 600) { id }
        c: claimCards(limit: 5, leaseSeconds: 600) { ...withPan }
        d: claimCards(limit: 1, leaseSeconds: 600) { id pan }
      }
      fragment withPan on CreditCard { id pan }`,
      { token: await tokenFor('thrifty') },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.a).toHaveLength(3);
    expect(answer.data?.a.every((card) => /^\d+$/.test(card.first ?? '') && card.second === card.first)).toBe(true);
    expect(answer.data?.b).toHaveLength(5);
    expect(answer.data?.c).toHaveLength(4);
    expect(answer.data?.c.every((card) => /^\d+$/.test(card.pan ?? ''))).toBe(true);
    expect(answer.data?.d).toEqual([]);
    expect(await leasedTo('thrifty')).toHaveLength(12);
    expect(await claimAsOther('after')).toHaveLength(2);
  });
});
