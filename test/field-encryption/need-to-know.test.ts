import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptForDirective,
  encryptedDirective,
  type RevealPolicy,
  TransitBatcher,
} from '../../src/field-encryption/index.ts';
import { useTestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

interface ChartContext {
  transit: TransitBatcher;
  roles: ReadonlySet<string>;
}

const sealed = encryptedDirective<ChartContext>({ cipher: (context) => context.transit });
const chartPolicies: Record<string, RevealPolicy<ChartContext>> = { admitted: (chart) => chart.admitted === true };
const revealed = (policies?: Record<string, RevealPolicy<ChartContext>>) =>
  decryptForDirective<ChartContext>({
    cipher: (context) => context.transit,
    roles: (context) => context.roles,
    ...(policies === undefined ? {} : { policies }),
  });

/** A type that is not about cards: the doctor reads the diagnosis of admitted patients, a mask of the others. */
const CHART_SDL = `
type Chart {
  id: ID!
  admitted: Boolean!
  diagnosis: String
    @encrypted(key: "medical")
    @decryptFor(role: "doctor", policy: "admitted")
    @decryptFor(role: "doctor", mask: LAST4)
    @decryptFor(role: "clerk", policy: "admitted", mask: LAST4)
}
type Query { charts: [Chart!]! }
`;

function chartSchema(charts: unknown[], policies?: Record<string, RevealPolicy<ChartContext>>) {
  const decryptFor = revealed(policies);
  const schema = makeExecutableSchema({
    typeDefs: [sealed.typeDefs, decryptFor.typeDefs, CHART_SDL],
    resolvers: { Query: { charts: () => charts } },
  });
  return decryptFor.transformer(sealed.transformer(schema));
}

describe('a need-to-know policy referenced in the SDL must be defined', () => {
  it('fails the schema build, naming the field, the role and the policy', () => {
    expect(() => chartSchema([], {})).toThrow(
      'Chart.diagnosis: @decryptFor(role: "doctor", policy: "admitted") names a policy that is not defined',
    );
    expect(() => chartSchema([])).toThrow('names a policy that is not defined');
    expect(() => chartSchema([], chartPolicies)).not.toThrow();
  });
});

describe.each(backendSets())('need to know [$name]', (set) => {
  describe('on any type: a grant with a policy applies only to records that satisfy it', () => {
    let backends: Backends;
    let batcher: TransitBatcher;
    beforeAll(async () => {
      backends = await set.open();
      await backends.transit.createKey('medical');
      batcher = new TransitBatcher(backends.transit, { enabled: true, windowMs: 0, batchSize: 250 });
    });
    afterAll(async () => backends?.close());

    it('doctor: plaintext for the admitted, the mask for the discharged; clerk: mask for the admitted, ciphertext otherwise', async () => {
      const [admitted, discharged] = await Promise.all(
        ['influenza A', 'fractured tibia'].map((text) => batcher.encrypt('medical', text)),
      );
      const charts = [
        { id: 'a', admitted: true, diagnosis: admitted },
        { id: 'd', admitted: false, diagnosis: discharged },
      ];
      const schema = chartSchema(charts, chartPolicies);
      const read = async (role: string) => {
        const result = await execute({
          schema,
          document: parse('{ charts { id diagnosis } }'),
          contextValue: { transit: batcher, roles: new Set([role]) },
        });
        expect(result.errors).toBeUndefined();
        return ((result.data?.charts ?? []) as Array<{ diagnosis: string }>).map((chart) => chart.diagnosis);
      };
      expect(await read('doctor')).toEqual(['influenza A', '***********ibia']);
      expect(await read('clerk')).toEqual(['*******za A', discharged]);
      expect(discharged).toMatch(/^vault:v1:/);
    });
  });

  describe('cards: the processor reads plaintext for pending cards only', () => {
    const context = useTestApi(set);

    it('pending: plaintext; processed and failed: the stored ciphertext, with no error', async () => {
      const { api } = context;
      const created = await api.gql<{ createCreditCards: Array<{ id: string; pan: string }> }>(CREATE_CARDS, {
        role: 'clerk',
        variables: {
          inputs: [
            { name: 'Pending Card', pan: PANS.carlos },
            { name: 'Processed Card', pan: PANS.anibal },
            { name: 'Failed Card', pan: PANS.visa },
          ],
        },
      });
      const [pending, processed, failed] = created.data?.createCreditCards ?? [];
      if (pending === undefined || processed === undefined || failed === undefined) throw new Error('not created');

      const claimed = await api.gql<{ claimCards: Array<{ id: string; pan: string }> }>(
        'mutation { claimCards(limit: 3) { id pan } }',
        { role: 'processor' },
      );
      expect(claimed.data?.claimCards.map((card) => card.pan)).toEqual([PANS.carlos, PANS.anibal, PANS.visa]);

      const marked = await api.gql<{ markCardsProcessed: Array<{ pan: string }> }>(
        'mutation ($ids: [ID!]!) { markCardsProcessed(ids: $ids) { pan } }',
        { role: 'processor', variables: { ids: [processed.id] } },
      );
      expect(marked.data?.markCardsProcessed).toEqual([{ pan: processed.pan }]);
      const gaveUp = await api.gql(
        'mutation ($ids: [ID!]!) { markCardsFailed(ids: $ids, error: "declined", maxAttempts: 1) { status pan } }',
        { role: 'processor', variables: { ids: [failed.id] } },
      );
      expect(gaveUp.data).toEqual({ markCardsFailed: [{ status: 'FAILED', pan: failed.pan }] });

      const listed = await api.gql<{ creditCards: { nodes: Array<{ id: string; status: string; pan: string }> } }>(
        '{ creditCards { nodes { id status pan } } }',
        { role: 'processor' },
      );
      expect(listed.errors).toBeUndefined();
      expect(listed.data?.creditCards.nodes).toEqual([
        { id: pending.id, status: 'PENDING', pan: PANS.carlos },
        { id: processed.id, status: 'PROCESSED', pan: processed.pan },
        { id: failed.id, status: 'FAILED', pan: failed.pan },
      ]);
      expect(processed.pan).toMatch(/^vault:v\d+:/);
      const support = await api.gql<{ creditCards: { nodes: Array<{ pan: string }> } }>(
        '{ creditCards { nodes { pan } } }',
        { role: 'support' },
      );
      expect(support.data?.creditCards.nodes.map((card) => card.pan)).toEqual([
        '************1157',
        '************7021',
        '************1111',
      ]);
    });
  });
});
