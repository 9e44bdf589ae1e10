import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { luhnValid } from '../../src/cards/pan.ts';
import { EXISTENCE_MASK, revealEvents } from '../../src/field-encryption/index.ts';
import { type GraphQLResponse, useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { countCards, PANS } from '../support/cards.ts';

// The attack: a clerk knows the victim's BIN and last four (printed on receipts) and asks about every
// Luhn-valid number between them, ~100,000 candidates, in the ways an answer depends on whether a number is on file.
const VICTIM = PANS.carlos; // 453929 662013 1157
const BIN = VICTIM.slice(0, 6);
const LAST4 = VICTIM.slice(-4);
const CANDIDATES = Array.from(
  { length: 1_000_000 },
  (_, middle) => `${BIN}${String(middle).padStart(6, '0')}${LAST4}`,
).filter(luhnValid);
const VICTIM_AT = CANDIDATES.indexOf(VICTIM);

// As the SDL declares them (schema/cards.graphql).
const CREATE_BUDGET = 1000; // CreditCardInput.pan, per day
const LOOKUP_BUDGET = 200; // Query.creditCardsByPan.pan, per hour
const BATCH = 1000;
const ALIASES = 15;

const CREATE_MANY = `mutation Probe($inputs: [CreditCardInput!]!, $onDuplicate: OnDuplicate) {
  createCreditCards(inputs: $inputs, onDuplicate: $onDuplicate) { id }
}`;
const CREATE_ONE = `mutation Create($input: CreditCardInput!, $onDuplicate: OnDuplicate) {
  createCreditCard(input: $input, onDuplicate: $onDuplicate) { id }
}`;

/** A response with its ids and request-specific parts taken out: what the caller could tell apart. */
function shape(response: GraphQLResponse): string {
  return JSON.stringify({
    data: response.data ?? null,
    errors: response.errors?.map(({ message, extensions }) => ({ message, code: extensions?.code })),
  });
}

describe.each(backendSets())('existence is a reveal: the blind-index oracle [$name]', (set) => {
  const context = useTestApi(set);
  let victimId = '';

  const tokenFor = (subject: string, role = 'clerk') => issueToken(context.backends.config.auth, [role], subject);
  const existenceRows = (subject: string) =>
    context.backends.database.db
      .select()
      .from(revealEvents)
      .where(and(eq(revealEvents.subject, subject), eq(revealEvents.mask, EXISTENCE_MASK)));

  beforeAll(async () => {
    expect(CANDIDATES.length).toBeGreaterThan(99_000);
    expect(VICTIM_AT).toBeGreaterThan(CREATE_BUDGET);
    const created = await context.api.gql<{ createCreditCard: { id: string } }>(CREATE_ONE, {
      token: await tokenFor('victim-bank'),
      variables: { input: { name: 'Carlos Victim', pan: VICTIM } },
    });
    expect(created.errors).toBeUndefined();
    victimId = created.data?.createCreditCard.id ?? '';
  });

  it('duplicate reports (REJECT) over all ~100,000 candidates: only the declared budget gets an answer, and it is recorded', async () => {
    const token = await tokenFor('attacker-reject');
    const shapes = new Map<string, number>();
    let answered = 0;
    let victimShape = '';
    const cardsBefore = await countCards(context.backends);
    for (let start = 0; start < CANDIDATES.length; start += BATCH) {
      const batch = CANDIDATES.slice(start, start + BATCH);
      const response = await context.api.gql(CREATE_MANY, {
        token,
        variables: { inputs: batch.map((pan) => ({ name: 'Probe', pan })), onDuplicate: 'REJECT' },
      });
      if (response.errors?.[0]?.extensions?.code !== 'RATE_LIMITED') {
        answered += batch.length;
        continue;
      }
      expect(response.errors[0]?.message).not.toMatch(/\d{12}/);
      const seen = shape(response);
      shapes.set(seen, (shapes.get(seen) ?? 0) + 1);
      if (start <= VICTIM_AT && VICTIM_AT < start + BATCH) victimShape = seen;
    }
    expect(answered).toBeLessThanOrEqual(CREATE_BUDGET);
    // Every refused batch, the victim's among them, got one and the same answer.
    expect([...shapes.keys()]).toEqual([victimShape]);
    // The answered batch held no number on file, so it was stored; nothing else was.
    expect(await countCards(context.backends)).toBe(cardsBefore + answered);
    const rows = await existenceRows('attacker-reject');
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(answered);
    expect(rows.flatMap((row) => row.recordIds)).not.toContain(victimId);
    expect(rows.every((row) => row.field === 'CreditCardInput.pan' && row.key === 'card-pan-index')).toBe(true);
  }, 600_000);

  it('aliased lookups: past the budget a hit and a miss answer alike, and every answer given is recorded', async () => {
    const token = await tokenFor('attacker-lookup');
    // The victim's number sits among the candidates the attacker asks about once the budget is spent.
    const asked = CANDIDATES.slice(VICTIM_AT - LOOKUP_BUDGET - 3 * ALIASES, VICTIM_AT + 3 * ALIASES);
    const refusedShapes = new Set<string>();
    let refusedWithVictim = 0;
    for (let at = 0; at < asked.length; at += ALIASES) {
      const group = asked.slice(at, at + ALIASES);
      const query = `query Probe(${group.map((_, n) => `$p${n}: PAN!`).join(', ')}) {
        ${group.map((_, n) => `q${n}: creditCardsByPan(pan: $p${n}) { id }`).join('\n')}
      }`;
      const response = await context.api.gql(query, {
        token,
        variables: Object.fromEntries(group.map((pan, n) => [`p${n}`, pan])),
      });
      if (response.errors === undefined) {
        expect(Object.values(response.data ?? {})).toEqual(group.map(() => []));
        continue;
      }
      expect(response.errors.every((error) => error.extensions?.code === 'RATE_LIMITED')).toBe(true);
      refusedShapes.add(shape(response));
      if (group.includes(VICTIM)) refusedWithVictim += 1;
    }
    expect(refusedWithVictim).toBe(1);
    // The request that crossed the budget and every later one answered alike, the victim's among them.
    expect(refusedShapes.size).toBe(1);
    const rows = await existenceRows('attacker-lookup');
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(LOOKUP_BUDGET);
    expect(rows.flatMap((row) => row.recordIds)).toEqual([]);
    expect(rows.every((row) => row.field === 'Query.creditCardsByPan.pan')).toBe(true);
  }, 600_000);

  it('RETURN_EXISTING: past the budget the victim is not answered with its id, and nothing is stored', async () => {
    const token = await tokenFor('attacker-return');
    const probe = (pans: readonly string[]) =>
      context.api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_MANY, {
        token,
        variables: { inputs: pans.map((pan) => ({ name: 'Probe', pan })), onDuplicate: 'RETURN_EXISTING' },
      });
    const spent = await probe(CANDIDATES.slice(0, CREATE_BUDGET));
    expect(spent.errors).toBeUndefined();
    const cardsBefore = await countCards(context.backends);
    const withVictim = await probe(CANDIDATES.slice(VICTIM_AT - 10, VICTIM_AT + 10));
    const withoutVictim = await probe(CANDIDATES.slice(VICTIM_AT + 10, VICTIM_AT + 30));
    expect(withVictim.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(shape(withVictim)).toBe(shape(withoutVictim));
    expect(JSON.stringify(withVictim)).not.toContain(victimId);
    expect(await countCards(context.backends)).toBe(cardsBefore);
    const rows = await existenceRows('attacker-return');
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(CREATE_BUDGET);
  }, 600_000);

  it("a clerk's own flow still works: a number typed twice is reported on file, and that answer is recorded", async () => {
    const token = await tokenFor('honest-clerk');
    const pan = PANS.mastercard;
    const first = await context.api.gql<{ createCreditCard: { id: string } }>(CREATE_ONE, {
      token,
      variables: { input: { name: 'Ana Honest', pan }, onDuplicate: 'REJECT' },
    });
    expect(first.errors).toBeUndefined();
    const again = await context.api.gql(CREATE_ONE, {
      token,
      variables: { input: { name: 'Ana Honest', pan }, onDuplicate: 'REJECT' },
    });
    expect(again.errors?.[0]?.extensions?.code).toBe('DUPLICATE');
    expect(again.errors?.[0]?.extensions?.existingId).toBe(first.data?.createCreditCard.id);
    const rows = await existenceRows('honest-clerk');
    expect(rows.map((row) => [row.count, row.recordIds])).toEqual([
      [1, []],
      [1, [first.data?.createCreditCard.id]],
    ]);
  });
});
