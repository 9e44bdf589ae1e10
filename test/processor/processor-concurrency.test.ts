import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { creditCards } from '../../src/db/schema.ts';
import type { TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import { processingLines, runProcessorOnce, startProcessor } from './processor-process.ts';
import { withApi } from './with-api.ts';

const CREATE_MANY = 'mutation Create($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }';

/** `count` cards named CARD 0000, CARD 0001, ... with distinct valid PANs, created in one bulk request. */
async function createCards(api: TestApi, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, index) => `Card ${String(index).padStart(4, '0')}`);
  const inputs = names.map((name, index) => ({ name, pan: panFor(index, '400000') }));
  const created = await api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_MANY, {
    role: 'clerk',
    variables: { inputs },
  });
  expect(created.errors).toBeUndefined();
  return names.map((name) => name.toUpperCase());
}

/** The cardholder names in "Processing NAME card with number ..." lines. */
const namesIn = (stdout: string) =>
  processingLines(stdout).map((line) => line.split(' card with number ')[0]!.slice(11));

function processorEnv(api: TestApi, token: string, extra: Record<string, string> = {}) {
  return { PROCESSOR_API_URL: api.url, PROCESSOR_TOKEN: token, ...extra };
}

async function pendingCount(backends: Backends): Promise<number> {
  return (await backends.database.db.select().from(creditCards).where(eq(creditCards.status, 'pending'))).length;
}

// Each test starts processors as child processes (node + tsx); on a loaded machine that takes a while.
vi.setConfig({ testTimeout: 300_000 });

describe.each(backendSets())('several card processors at once [$name]', (set) => {
  it(
    'three processors started together on 1,000 pending cards process each card exactly once',
    () =>
      withApi(set, async (api, backends) => {
        const names = await createCards(api, 1000);
        const runs = await Promise.all(
          ['one', 'two', 'three'].map(async (subject) =>
            runProcessorOnce([], processorEnv(api, await issueToken(backends.config.auth, ['processor'], subject))),
          ),
        );
        for (const run of runs) {
          expect(run.stderr).toBe('');
          expect(run.code).toBe(0);
        }
        const printed = runs.flatMap((run) => namesIn(run.stdout));
        expect(printed).toHaveLength(1000);
        expect(new Set(printed)).toEqual(new Set(names));
        expect(await pendingCount(backends)).toBe(0);
      }),
    300_000,
  );

  it('a processor killed mid-run loses no card: another finishes them once its lease expires', () =>
    withApi(set, async (api, backends) => {
      const names = await createCards(api, 200);
      const doomedToken = await issueToken(backends.config.auth, ['processor'], 'doomed');
      const doomed = startProcessor(
        ['--once'],
        processorEnv(api, doomedToken, { PROCESSOR_BATCH_SIZE: '100', PROCESSOR_LEASE_SECONDS: '2' }),
      );
      await doomed.waitForLine(/^Processing /m);
      doomed.child.kill('SIGKILL');
      const killed = await doomed.exited;
      expect(killed.signal).toBe('SIGKILL');

      const stranded = await backends.database.db
        .select({ name: creditCards.name })
        .from(creditCards)
        .where(and(eq(creditCards.status, 'pending'), eq(creditCards.claimedBy, 'doomed')));
      expect(stranded.length).toBeGreaterThan(0);

      const survivorToken = await issueToken(backends.config.auth, ['processor'], 'survivor');
      const survivor = startProcessor([], processorEnv(api, survivorToken, { PROCESSOR_POLL_INTERVAL_MS: '100' }));
      while ((await pendingCount(backends)) > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      survivor.child.kill('SIGTERM');
      const finished = await survivor.exited;
      expect(finished.code).toBe(0);
      expect(finished.stderr).toContain('SIGTERM received, stopping after the card in hand');

      const bySurvivor = namesIn(finished.stdout);
      expect(new Set(bySurvivor).size).toBe(bySurvivor.length);
      for (const { name } of stranded) expect(bySurvivor).toContain(name.toUpperCase());
      const byDoomed = namesIn(killed.stdout);
      // Only the card in hand when the kill came may have been printed by both.
      expect(byDoomed.filter((name) => bySurvivor.includes(name)).length).toBeLessThanOrEqual(1);
      expect(new Set([...byDoomed, ...bySurvivor])).toEqual(new Set(names));
    }));
});
