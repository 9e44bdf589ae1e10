import { describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { exampleTabs } from '../../src/http/graphiql/example-tabs.ts';
import type { TestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { runProcessorOnce } from './processor-process.ts';
import { withApi } from './with-api.ts';

const CREATE = `mutation Create($input: CreditCardInput!) { createCreditCard(input: $input) { id } }`;
const FAIL = `mutation Fail($ids: [ID!]!) {
  markCardsFailed(ids: $ids, error: "gateway timeout", retryAfterSeconds: 3600) { id }
}`;

/** Sends GraphiQL's ProcessorClaimsCards tab as the page has it (its query and its Authorization header). */
async function claimInGraphiQL(api: TestApi): Promise<string[]> {
  const tabs = await exampleTabs((role) => api.token(role));
  const tab = tabs.find((candidate) => candidate.query.includes('mutation ProcessorClaimsCards'));
  const headers = JSON.parse(tab?.headers ?? '{}') as { Authorization: string };
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: headers.Authorization },
    body: JSON.stringify({ query: tab?.query }),
  });
  const { data } = (await response.json()) as { data: { claimCards: Array<{ id: string }> } };
  return data.claimCards.map((card) => card.id);
}

vi.setConfig({ testTimeout: 300_000 });

describe.each(backendSets())('npm run processor -- --once with nothing claimable [$name]', (set) => {
  it('says why it processed none: cards leased in GraphiQL, cards waiting for a retry, and until when', () =>
    withApi(set, async (api, backends) => {
      const processor = await issueToken(backends.config.auth, ['processor'], 'processor@batch-host');
      const env = { PROCESSOR_API_URL: api.url, PROCESSOR_TOKEN: processor };
      const idle = await runProcessorOnce([], env);
      expect(idle.stdout).toBe('processed 0, failed 0, skipped 0\n');

      for (const [name, pan] of [
        ['Carlos Gardel', '4539296620131157'],
        ['Aníbal Troilo', '2720997130887021'],
      ]) {
        const created = await api.gql(CREATE, { role: 'clerk', variables: { input: { name, pan } } });
        expect(created.errors).toBeUndefined();
      }
      const before = Date.now();
      const [leased, failing] = await claimInGraphiQL(api);
      expect([leased, failing].every((id) => id !== undefined)).toBe(true);
      // One of the two fails in the GraphiQL claimant's hands: it waits an hour before it may be claimed again.
      const failed = await api.gql<{ markCardsFailed: unknown[] }>(FAIL, {
        role: 'processor',
        variables: { ids: [failing] },
      });
      expect(failed.errors).toBeUndefined();
      expect(failed.data?.markCardsFailed).toHaveLength(1);

      const run = await runProcessorOnce([], env);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const [summary, why, ...rest] = run.stdout.split('\n');
      expect(summary).toBe('processed 0, failed 0, skipped 0');
      expect(rest).toEqual(['']);
      const times =
        /^not claimable now: 1 pending card leased by an earlier claimCards \(another processor, or GraphiQL's claim tab\), claimable when the lease runs out \(the first at (\S+)\); 1 pending card waiting to be retried after a failure \(the first at (\S+)\)$/.exec(
          why ?? '',
        );
      expect(times, why).not.toBeNull();
      const [leaseEnds, retryAt] = [Date.parse(times?.[1] ?? ''), Date.parse(times?.[2] ?? '')];
      expect(leaseEnds).toBeGreaterThanOrEqual(before + 59_000);
      expect(leaseEnds).toBeLessThan(Date.now() + 61_000);
      expect(retryAt).toBeGreaterThan(before + 3_599_000);
    }));
});
