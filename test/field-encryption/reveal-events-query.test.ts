import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const REVEALS = `query ($first: Int, $after: String, $subject: String, $recordId: ID) {
  revealEvents(first: $first, after: $after, subject: $subject, recordId: $recordId) {
    nodes { subject role mask field recordIds count }
    pageInfo { endCursor hasNextPage }
  }
}`;
type Reveals = {
  revealEvents: {
    nodes: Array<{ subject: string; role: string; mask: string; recordIds: string[]; count: number }>;
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
};

describe.each(backendSets())('revealEvents, for the auditor role [$name]', (set) => {
  const context = useTestApi(set);

  it('answers who read what, filtered and paged; only the auditor may ask, and the auditor reads no card', async () => {
    const { api } = context;
    const created = await api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'A', pan: PANS.carlos },
          { name: 'B', pan: PANS.anibal },
        ],
      },
    });
    const [first, second] = (created.data?.createCreditCards ?? []).map((card) => card.id);
    await api.gql(`{ creditCard(id: "${first}") { pan } }`, { role: 'processor' });
    await api.gql('{ creditCards { nodes { pan } } }', { role: 'support' });

    const all = await api.gql<Reveals>(REVEALS, { role: 'auditor' });
    expect(all.errors).toBeUndefined();
    expect(all.data?.revealEvents.nodes).toEqual([
      {
        subject: 'test-processor',
        role: 'processor',
        mask: 'NONE',
        field: 'CreditCard.pan',
        recordIds: [first],
        count: 1,
      },
      {
        subject: 'test-support',
        role: 'support',
        mask: 'LAST4',
        field: 'CreditCard.pan',
        recordIds: [first, second],
        count: 2,
      },
    ]);
    const ofSecond = await api.gql<Reveals>(REVEALS, { role: 'auditor', variables: { recordId: second } });
    expect(ofSecond.data?.revealEvents.nodes.map((node) => node.subject)).toEqual(['test-support']);
    const bySubject = await api.gql<Reveals>(REVEALS, { role: 'auditor', variables: { subject: 'test-processor' } });
    expect(bySubject.data?.revealEvents.nodes.map((node) => node.role)).toEqual(['processor']);
    const page = await api.gql<Reveals>(REVEALS, { role: 'auditor', variables: { first: 1 } });
    expect(page.data?.revealEvents.pageInfo.hasNextPage).toBe(true);
    const next = await api.gql<Reveals>(REVEALS, {
      role: 'auditor',
      variables: { first: 1, after: page.data?.revealEvents.pageInfo.endCursor },
    });
    expect(next.data?.revealEvents.nodes.map((node) => node.role)).toEqual(['support']);
    expect(next.data?.revealEvents.pageInfo.hasNextPage).toBe(false);

    for (const role of ['processor', 'support', 'clerk', 'key-admin']) {
      const refused = await api.gql(REVEALS, { role });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const cardsAsAuditor = await api.gql('{ creditCards { nodes { pan } } }', { role: 'auditor' });
    expect(cardsAsAuditor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(cardsAsAuditor)).not.toContain(PANS.carlos);
  });
});
