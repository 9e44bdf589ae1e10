import { describe, expect, it } from 'vitest';
import { createGraphQLClient } from '../../src/processor/api-client.ts';
import { CardApi } from '../../src/processor/card-api.ts';
import { runProcessor } from '../../src/processor/run-processor.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';

const CREATE = 'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id } }';
const READ = 'query ($id: ID!) { creditCard(id: $id) { status attempts lastError } }';

describe.each(backendSets())('the processor failure path [$name]', (set) => {
  const suite = useTestApi(set);

  it('stores a processing error that names the card with the number masked, in every way a step may write it', async () => {
    const pan = panFor(4242, '453929');
    const created = await suite.api.gql<{ createCreditCard: { id: string } }>(CREATE, {
      role: 'clerk',
      variables: { input: { name: 'Osvaldo Pugliese', pan } },
    });
    const id = created.data?.createCreditCard.id ?? '';
    const warnings: string[] = [];
    const summary = await runProcessor({
      cards: new CardApi(createGraphQLClient(suite.api.url, await suite.api.token('processor'))),
      process: (card) => {
        throw new Error(`gateway declined ${card.pan} (also sent as ${card.pan.replace(/(\d{4})(?=\d)/g, '$1.')})`);
      },
      batchSize: 10,
      leaseSeconds: 60,
      failure: { retryAfterSeconds: 3600, maxAttempts: 3 },
      once: true,
      pollIntervalMs: 10,
      signal: new AbortController().signal,
      warn: (message) => warnings.push(message),
    });
    expect(summary.failed).toBe(1);
    const read = await suite.api.gql<{ creditCard: { status: string; attempts: number; lastError: string } }>(READ, {
      role: 'clerk',
      variables: { id },
    });
    const masked = `${pan.slice(0, 6)}******${pan.slice(-4)}`;
    expect(read.data?.creditCard).toEqual({
      status: 'PENDING',
      attempts: 1,
      lastError: `processing failed: gateway declined ${masked} (also sent as ${masked})`,
    });
    expect(warnings.join('\n')).not.toContain(pan.slice(6, 12));
  });
});
