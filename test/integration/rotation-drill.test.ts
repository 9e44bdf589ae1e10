import { afterAll, beforeAll, expect, it } from 'vitest';
import { retire } from '../../src/cli/transit/retire.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import type { Backends } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import { describeOnRealBackends } from '../support/real-only.ts';
import { storeCards } from '../support/stored-cards.ts';
import { transitCommandInput } from '../support/transit-command.ts';

const CARDS = 10_000;
const PAGE = `query Page($after: String) {
  creditCards(first: 1000, after: $after) { nodes { name pan panKeyVersion } pageInfo { endCursor hasNextPage } }
}`;
const CREATE = 'mutation Create($input: CreditCardInput!) { createCreditCard(input: $input) { id pan } }';
const READ = 'query Read($id: ID!) { creditCard(id: $id) { pan } }';

interface Page {
  creditCards: {
    nodes: Array<{ name: string; pan: string | null; panKeyVersion: number }>;
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}

describeOnRealBackends('rotation drill with 10,000 cards', (set) => {
  let backends: Backends;
  let api: TestApi;

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  async function processorReadsAll(): Promise<Map<string, { pan: string | null; version: number }>> {
    const cards = new Map<string, { pan: string | null; version: number }>();
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof api.gql<Page>>> = await api.gql<Page>(PAGE, {
        role: 'processor',
        variables: { after },
      });
      expect(page.errors).toBeUndefined();
      for (const card of page.data?.creditCards.nodes ?? []) {
        cards.set(card.name, { pan: card.pan, version: card.panKeyVersion });
      }
      if (page.data?.creditCards.pageInfo.hasNextPage !== true) return cards;
      after = page.data.creditCards.pageInfo.endCursor;
    }
  }

  async function retireV1(): Promise<{ exitCode: number; output: string }> {
    const lines: string[] = [];
    const exitCode = await retire.run(transitCommandInput(backends, ['card-pan', '2'], {}, lines));
    return { exitCode, output: lines.join('\n') };
  }

  it('rotates, rewraps every card to v2 while clients keep working, then retires v1', async () => {
    const expected = await storeCards(backends, CARDS);
    const rotated = await api.gql<{ rotateKey: { latestVersion: number } }>(
      'mutation { rotateKey(name: "card-pan") { latestVersion } }',
      { role: 'key-admin' },
    );
    expect(rotated.data?.rotateKey.latestVersion).toBe(2);

    const beforeRewrap = await processorReadsAll();
    expect(beforeRewrap.size).toBe(CARDS);
    for (const [name, card] of beforeRewrap) expect(card).toEqual({ pan: expected.get(name), version: 1 });

    const refused = await retireV1();
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toContain(`${CARDS} stored values are older than v2`);

    let rewrapDone = false;
    const rewrap = api
      .gql<{ rewrapKey: { total: number; rewrapped: number; skipped: number; failed: number; seconds: number } }>(
        'mutation { rewrapKey(name: "card-pan") { total rewrapped skipped failed seconds } }',
        { role: 'key-admin' },
      )
      .finally(() => {
        rewrapDone = true;
      });
    let written = 0;
    const clerkFailures: unknown[] = [];
    while (!rewrapDone) {
      const number = CARDS + written;
      const name = `Card ${number}`;
      const created = await api.gql<{ createCreditCard: { id: string; pan: string } }>(CREATE, {
        role: 'clerk',
        variables: { input: { name, pan: panFor(number) } },
      });
      const read = await api.gql<{ creditCard: { pan: string } }>(READ, {
        role: 'processor',
        variables: { id: created.data?.createCreditCard.id },
      });
      if (created.errors !== undefined || read.data?.creditCard.pan !== panFor(number)) {
        clerkFailures.push(created.errors ?? read.errors);
      }
      expected.set(name, panFor(number));
      written += 1;
    }
    const summary = await rewrap;
    expect(summary.errors).toBeUndefined();
    expect(summary.data?.rewrapKey).toMatchObject({ total: CARDS, rewrapped: CARDS, skipped: 0, failed: 0 });
    console.info(
      `[drill] rewrapped ${CARDS} cards in ${summary.data?.rewrapKey.seconds.toFixed(1)} s while a client created and read ${written} cards`,
    );
    expect(clerkFailures).toEqual([]);
    expect(written).toBeGreaterThan(0);

    const versions = await api.gql('{ keyVersions(key: "card-pan") { version storedValues } }', { role: 'key-admin' });
    expect(versions.data).toEqual({
      keyVersions: [
        { version: 1, storedValues: 0 },
        { version: 2, storedValues: CARDS + written },
      ],
    });

    const retired = await retireV1();
    expect(retired.exitCode).toBe(0);
    expect((await backends.transit.readKey('card-pan')).minDecryptionVersion).toBe(2);

    const afterRetire = await processorReadsAll();
    expect(afterRetire.size).toBe(CARDS + written);
    for (const [name, card] of afterRetire) expect(card).toEqual({ pan: expected.get(name), version: 2 });
  }, 600_000);
});
