import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creditCards } from '../../src/db/schema.ts';
import { createGraphQLClient } from '../../src/processor/api-client.ts';
import { CardApi } from '../../src/processor/card-api.ts';
import type { CardToProcess } from '../../src/processor/print-card.ts';
import { runProcessor } from '../../src/processor/run-processor.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import { startProcessor } from './processor-process.ts';

const CREATE = 'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id } }';
const READ = 'query ($id: ID!) { creditCard(id: $id) { status attempts lastError } }';

describe.each(backendSets())('the processor failure path [$name]', (set) => {
  const suite = useTestApi(set);

  /** Creates a card, runs the processor once with a step that throws `message(card)`, and reads the card back. */
  async function failOnce(name: string, pan: string, message: (card: CardToProcess) => string) {
    const created = await suite.api.gql<{ createCreditCard: { id: string } }>(CREATE, {
      role: 'clerk',
      variables: { input: { name, pan } },
    });
    const id = created.data?.createCreditCard.id ?? '';
    const warnings: string[] = [];
    const summary = await runProcessor({
      cards: new CardApi(createGraphQLClient(suite.api.url, await suite.api.token('processor'))),
      process: (card) => {
        throw new Error(message(card));
      },
      batchSize: 10,
      leaseSeconds: 60,
      failure: { retryAfterSeconds: 3600, maxAttempts: 3 },
      once: true,
      pollIntervalMs: 10,
      signal: new AbortController().signal,
      warn: (warning) => warnings.push(warning),
    });
    const read = await suite.api.gql<{ creditCard: { status: string; attempts: number; lastError: string } }>(READ, {
      role: 'clerk',
      variables: { id },
    });
    return { id, failed: summary.failed, stored: read.data?.creditCard, warnings: warnings.join('\n') };
  }

  it('stores a processing error that names the card with the number masked, in every way a step may write it', async () => {
    const pan = panFor(4242, '453929');
    const { failed, stored, warnings } = await failOnce(
      'Osvaldo Pugliese',
      pan,
      (card) => `gateway declined ${card.pan} (also sent as ${card.pan.replace(/(\d{4})(?=\d)/g, '$1.')})`,
    );
    expect(failed).toBe(1);
    const masked = `${pan.slice(0, 6)}******${pan.slice(-4)}`;
    expect(stored).toEqual({
      status: 'PENDING',
      attempts: 1,
      lastError: `processing failed: gateway declined ${masked} (also sent as ${masked})`,
    });
    expect(warnings).not.toContain(pan.slice(6, 12));
  });

  it('records a processing error holding a NUL (scrubbed, number masked) instead of failing the run with the card claimed', async () => {
    const pan = panFor(4343, '453929');
    const { id, failed, stored, warnings } = await failOnce(
      'Horacio Salgan',
      pan,
      (card) => `gateway\u0000down for ${card.pan}`,
    );
    expect(failed).toBe(1);
    expect(stored).toEqual({
      status: 'PENDING',
      attempts: 1,
      lastError: `processing failed: gateway\ufffddown for ${pan.slice(0, 6)}******${pan.slice(-4)}`,
    });
    const [row] = await suite.backends.database.db.select().from(creditCards).where(eq(creditCards.id, id));
    expect(row?.claimedBy ?? null, 'the claim is cleared, not left to expire').toBeNull();
    expect(warnings).not.toContain('\u0000');
    expect(warnings).not.toContain(pan.slice(6, 12));
  });

  it('masks a card number in a name stored before names were checked, in what the processor prints and sends', async () => {
    const pan = panFor(4444, '453929');
    const legacy = panFor(5555, '453929');
    const created = await suite.api.gql<{ createCreditCard: { id: string } }>(CREATE, {
      role: 'clerk',
      variables: { input: { name: 'Legacy Holder', pan } },
    });
    const id = created.data?.createCreditCard.id ?? '';
    // As an older version stored it, before CardholderName refused card numbers: written in SQL.
    const dotted = legacy.replace(/(\d{4})(?=\d)/g, '$1.');
    await suite.backends.database.db
      .update(creditCards)
      .set({ name: `Carlos ${legacy} Gardel ${dotted}` })
      .where(eq(creditCards.id, id));
    const run = startProcessor(['--once'], {
      PROCESSOR_API_URL: suite.api.url,
      PROCESSOR_TOKEN: await suite.api.token('processor'),
    });
    const { code, stdout, stderr } = await run.exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const maskedName = `${legacy.slice(0, 6)}******${legacy.slice(-4)}`;
    expect(stdout).toContain(
      `Processing CARLOS ${maskedName} GARDEL ${maskedName} card with number ${pan.slice(0, 6)}******${pan.slice(-4)}`,
    );
    expect(stdout.replace(/\D/g, '')).not.toContain(legacy.slice(6, 12));
    const read = await suite.api.gql<{ creditCard: { status: string; attempts: number; lastError: string | null } }>(
      READ,
      { role: 'clerk', variables: { id } },
    );
    expect(read.data?.creditCard).toEqual({ status: 'PROCESSED', attempts: 0, lastError: null });
  });
});
