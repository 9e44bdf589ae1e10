import { describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { panFor as luhnPanFor } from '../support/luhn-pans.ts';

const CREATE_MANY = 'mutation Create($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }';
const CLAIM = 'mutation Claim($limit: Int!) { claimCards(limit: $limit, leaseSeconds: 60) { id name pan } }';
const MARK_PROCESSED = 'mutation Mark($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id status } }';
const RELEASE = 'mutation Release($ids: [ID!]!) { releaseCards(ids: $ids) { id } }';
const MARK_FAILED = `mutation Fail($ids: [ID!]!) {
  markCardsFailed(ids: $ids, error: "step failed", retryAfterSeconds: 0, maxAttempts: 2) { id status attempts lastError }
}`;

type Claimed = { claimCards: Array<{ id: string; name: string; pan: string }> };

const panFor = (index: number) => luhnPanFor(index, '510000');

describe.each(backendSets())('claiming cards through the API [$name]', (set) => {
  const suite = useTestApi(set);
  const tokenFor = (subject: string, role = 'processor') => issueToken(suite.backends.config.auth, [role], subject);
  const claim = async (subject: string, limit: number) => {
    const answer = await suite.api.gql<Claimed>(CLAIM, { token: await tokenFor(subject), variables: { limit } });
    expect(answer.errors).toBeUndefined();
    return answer.data!.claimCards;
  };

  it('hands each card to exactly one of many concurrent claims, oldest first, decrypted', async () => {
    const inputs = Array.from({ length: 60 }, (_, index) => ({ name: `Holder ${index}`, pan: panFor(index) }));
    expect((await suite.api.gql(CREATE_MANY, { role: 'clerk', variables: { inputs } })).errors).toBeUndefined();

    const claims = await Promise.all(Array.from({ length: 8 }, (_, index) => claim(`claimer-${index}`, 10)));
    const ids = claims.flat().map((card) => card.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    for (const cards of claims) {
      const numbers = cards.map((card) => Number(card.name.split(' ')[1]));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    expect(claims.flat().find((card) => card.name === 'Holder 7')?.pan).toBe(panFor(7));
    expect(await claim('late-claimer', 10)).toEqual([]);

    // Which claimers got cards depends on the order the requests arrived: take two that did.
    const [first, second] = claims
      .map((cards, index) => ({ subject: `claimer-${index}`, cards }))
      .filter((holder) => holder.cards.length > 0);
    const byOther = await suite.api.gql<{ markCardsProcessed: unknown[] }>(MARK_PROCESSED, {
      token: await tokenFor(second!.subject),
      variables: { ids: first!.cards.map((card) => card.id) },
    });
    expect(byOther.data?.markCardsProcessed).toEqual([]);
    const byHolder = await suite.api.gql<{ markCardsProcessed: Array<{ status: string }> }>(MARK_PROCESSED, {
      token: await tokenFor(first!.subject),
      variables: { ids: first!.cards.map((card) => card.id) },
    });
    expect(byHolder.data?.markCardsProcessed.map((card) => card.status)).toEqual(Array(10).fill('PROCESSED'));

    const released = await suite.api.gql<{ releaseCards: unknown[] }>(RELEASE, {
      token: await tokenFor(second!.subject),
      variables: { ids: second!.cards.map((card) => card.id) },
    });
    expect(released.data?.releaseCards).toHaveLength(10);
    expect((await claim('late-claimer', 20)).map((card) => card.id).sort()).toEqual(
      second!.cards.map((card) => card.id).sort(),
    );
  });

  it('counts failed attempts, lets the card be claimed again, and moves it to FAILED at maxAttempts', async () => {
    const created = await suite.api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_MANY, {
      role: 'clerk',
      variables: { inputs: [{ name: 'Retried', pan: panFor(999) }] },
    });
    const id = created.data!.createCreditCards[0]!.id;
    const token = await tokenFor('retrier');
    const attempts = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await suite.api.gql<Claimed>(CLAIM, { token, variables: { limit: 50 } });
      expect(claimed.data?.claimCards.map((card) => card.id)).toContain(id);
      const failed = await suite.api.gql<{ markCardsFailed: unknown[] }>(MARK_FAILED, {
        token,
        variables: { ids: [id] },
      });
      attempts.push(failed.data?.markCardsFailed);
    }
    expect(attempts).toEqual([
      [{ id, status: 'PENDING', attempts: 1, lastError: 'step failed' }],
      [{ id, status: 'FAILED', attempts: 2, lastError: 'step failed' }],
    ]);
    expect(await claim('retrier', 50)).toEqual([]);
  });

  it('refuses claims to callers without the processor role', async () => {
    const answer = await suite.api.gql(CLAIM, { token: await tokenFor('a-clerk', 'clerk'), variables: { limit: 1 } });
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
