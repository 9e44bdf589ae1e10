import { makeExecutableSchema } from '@graphql-tools/schema';
import { and, eq, sql, sum } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { openDatabase } from '../../src/db/client.ts';
import {
  decryptForDirective,
  encryptedDirective,
  parseRollingBudget,
  revealEvents,
  revealReservations,
} from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi, useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS } from '../support/cards.ts';
import { panFor } from '../support/luhn-pans.ts';

/** The card schema's grant: `@decryptFor(role: "support", mask: LAST4, budget: "2000/h")`. */
const BUDGET = 2000;
const PAGE = `query Page($first: Int!) { creditCards(first: $first) { nodes { id pan } } }`;
const ONE = 'query One($id: ID!) { creditCard(id: $id) { id pan } }';
type Page = { creditCards: { nodes: Array<{ id: string; pan: string | null }> } };
type Answer = { data?: Page | null; errors?: Array<{ extensions?: Record<string, unknown> }> };

const masked = (answer: Answer) =>
  (answer.data?.creditCards.nodes ?? []).filter((card) => card.pan?.startsWith('************')).length;
const codes = (answer: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
  (answer.errors ?? []).map((error) => error.extensions?.code);

describe('rolling-window budgets are declared in the SDL', () => {
  it('parses N/s, N/m, N/h and N/d, and nothing else', () => {
    expect(parseRollingBudget('2000/h')).toEqual({ limit: 2000, windowSeconds: 3600, text: '2000/h' });
    expect(parseRollingBudget('5/s')?.windowSeconds).toBe(1);
    expect(parseRollingBudget('30/m')?.windowSeconds).toBe(60);
    expect(parseRollingBudget('100000/d')?.windowSeconds).toBe(86_400);
    for (const bad of ['2000', '2000/hour', '0/h', '-5/h', '1.5/h', '/h', '2000/w', 'h/2000', '']) {
      expect(parseRollingBudget(bad), bad).toBeUndefined();
    }
  });

  it('a malformed budget fails the schema build, naming the field, role and accepted forms', () => {
    const build = (budget: string) => {
      const decryptFor = decryptForDirective({
        cipher: () => ({}) as never,
        roles: () => new Set(),
        grantBudgets: () => ({}) as never,
      });
      const encrypted = encryptedDirective({ cipher: () => ({}) as never });
      const schema = makeExecutableSchema({
        typeDefs: [
          encrypted.typeDefs,
          decryptFor.typeDefs,
          `type Card { id: ID! pan: String @encrypted(key: "k") @decryptFor(role: "support", mask: LAST4, budget: "${budget}") }
           type Query { card: Card }`,
        ],
      });
      return decryptFor.transformer(schema);
    };
    expect(() => build('2000/h')).not.toThrow();
    expect(() => build('2000 per hour')).toThrow(
      'Card.pan: @decryptFor(role: "support", budget: "2000 per hour") is not a budget; write N/s, N/m, N/h or N/d with N a positive whole number, e.g. "2000/h"',
    );
  });

  it('a budget the server cannot enforce fails the build too', () => {
    const decryptFor = decryptForDirective({ cipher: () => ({}) as never, roles: () => new Set() });
    const schema = makeExecutableSchema({
      typeDefs: [
        encryptedDirective({ cipher: () => ({}) as never }).typeDefs,
        decryptFor.typeDefs,
        `type Card { id: ID! pan: String @encrypted(key: "k") @decryptFor(role: "support", budget: "5/m") }
         type Query { card: Card }`,
      ],
    });
    expect(() => decryptFor.transformer(schema)).toThrow(/needs the directive's grantBudgets option/);
  });
});

describe.each(backendSets())('rolling-window budget per grant, across API instances [$name]', (set) => {
  const context = useTestApi(set);
  let second: TestApi;
  let closeSecond: () => Promise<void>;
  const ids: string[] = [];

  /** A second API instance on the same database (on PostgreSQL its own connection pool). */
  const startSecond = async () => {
    const { backends } = context;
    if (backends.name === 'embedded') {
      second = await startTestApi(backends);
      closeSecond = () => second.close();
      return;
    }
    const database = await openDatabase(backends.config.database);
    second = await startTestApi({ ...backends, database });
    closeSecond = async () => {
      await second.close();
      await database.close();
    };
  };
  const revealedBy = async (subject: string) => {
    const [row] = await context.backends.database.db
      .select({ total: sum(revealEvents.count) })
      .from(revealEvents)
      .where(and(eq(revealEvents.subject, subject), eq(revealEvents.role, 'support')));
    return Number(row?.total ?? 0);
  };
  const asSubject = (api: TestApi, subject: string) => (query: string, variables: Record<string, unknown>) =>
    issueToken(context.backends.config.auth, ['support'], subject).then((token) =>
      api.gql<Page>(query, { token, variables }),
    );

  it(`the ${BUDGET + 1}th masked read in the hour is refused, on a second API instance too`, async () => {
    const { api } = context;
    const inputs = Array.from({ length: 1000 }, (_, n) => ({ name: `Budget ${n}`, pan: panFor(n, '49') }));
    const created = await api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: { inputs },
    });
    ids.push(...(created.data?.createCreditCards ?? []).map((card) => card.id));
    expect(ids).toHaveLength(1000);
    await startSecond();

    const first = asSubject(api, 'agent-1');
    const other = asSubject(second, 'agent-1');
    expect(masked(await first(PAGE, { first: 1000 }))).toBe(1000);
    expect(masked(await other(PAGE, { first: 998 }))).toBe(998);
    const lastButOne = await first(ONE, { id: ids[0] });
    expect(lastButOne.errors).toBeUndefined();
    const last = await other(ONE, { id: ids[1] });
    expect(last.errors).toBeUndefined();
    expect(await revealedBy('agent-1')).toBe(BUDGET);

    for (const [api1, id] of [
      [first, ids[2]],
      [other, ids[3]],
    ] as const) {
      const refused = (await api1(ONE, { id })) as { data?: { creditCard: { pan: string | null } }; errors?: never };
      expect(refused.data?.creditCard.pan).toBeNull();
      expect(codes(refused)).toEqual(['RATE_LIMITED']);
    }
    const refusedPage = await other(PAGE, { first: 10 });
    expect(masked(refusedPage)).toBe(0);
    expect(codes(refusedPage)).toEqual(Array(10).fill('RATE_LIMITED'));
    expect(JSON.stringify(refusedPage)).not.toContain('*');
    expect(await revealedBy('agent-1')).toBe(BUDGET);

    // Another caller with the same role has its own budget.
    expect(masked(await asSubject(second, 'agent-2')(PAGE, { first: 5 }))).toBe(5);
    const metrics = await (await fetch(second.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toContain('transitql_rate_limited_total{role="support",field="CreditCard.pan"} 11');
    expect(await context.backends.database.db.select().from(revealReservations)).toEqual([]);

    // Rolling: reveals that have left the window no longer count.
    await context.backends.database.db.execute(
      sql`update reveal_events set at = at - interval '61 minutes' where subject = 'agent-1'`,
    );
    expect((await first(ONE, { id: ids[4] })).errors).toBeUndefined();
  });

  it('a stolen token firing many concurrent requests at both instances gets no more than the budget', async () => {
    const { api } = context;
    const thief = [asSubject(api, 'thief'), asSubject(second, 'thief')];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => (thief[n % 2] as (typeof thief)[0])(PAGE, { first: 500 })),
    );
    const revealed = answers.reduce((total, answer) => total + masked(answer), 0);
    const refused = answers.flatMap(codes);
    expect(revealed).toBe(BUDGET);
    expect(refused).toEqual(Array(10 * 500 - BUDGET).fill('RATE_LIMITED'));
    expect(await revealedBy('thief')).toBe(BUDGET);
    expect(await context.backends.database.db.select().from(revealReservations)).toEqual([]);
    await closeSecond();
  });
});
