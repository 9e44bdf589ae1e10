import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardRepository } from '../../src/cards/card-repository.ts';
import { type Backends, backendSets } from '../support/backends.ts';

const ciphertext = (version: number, tag: string) => `vault:v${version}:${Buffer.from(tag).toString('base64')}`;

describe.each(backendSets())('card repository [$name]', (set) => {
  let backends: Backends;
  let cards: CardRepository;

  beforeAll(async () => {
    backends = await set.open();
    cards = new CardRepository(backends.database.db);
  });
  afterAll(() => backends?.close());

  it('stores ciphertext with its key version and pages through cards oldest first', async () => {
    const created = await cards.createMany(
      Array.from({ length: 5 }, (_, index) => ({
        id: randomUUID(),
        name: `holder ${index}`,
        pan: ciphertext(1 + (index % 2), `c${index}`),
      })),
    );
    expect(created.map((card) => card.panKeyVersion)).toEqual([1, 2, 1, 2, 1]);
    const first = await cards.list({ first: 2 });
    expect(first.cards.map((card) => card.name)).toEqual(['holder 0', 'holder 1']);
    expect(first.hasNextPage).toBe(true);
    const rest = await cards.list({ first: 10, afterSeq: first.cards[1]!.seq });
    expect(rest.cards.map((card) => card.name)).toEqual(['holder 2', 'holder 3', 'holder 4']);
    expect(rest.hasNextPage).toBe(false);
    expect(await cards.findById(created[0]!.id)).toMatchObject({ name: 'holder 0', status: 'PENDING' });
  });

  it('writes a bulk insert all or nothing', async () => {
    const before = await count(backends);
    await expect(
      cards.createMany([
        { id: randomUUID(), name: 'good', pan: ciphertext(1, 'ok') },
        { id: randomUUID(), name: 'bad', pan: '4539296620131157' },
      ]),
    ).rejects.toThrow();
    expect(await count(backends)).toBe(before);
  });

  it('refuses plaintext at the database too (check constraint)', async () => {
    await expect(
      backends.database.db.execute(
        sql`insert into credit_cards (name, pan, pan_key_version) values ('x', '4539296620131157', 1)`,
      ),
    ).rejects.toThrow();
  });

  it('marks claimed cards processed, once, and only for their claimant', async () => {
    const [card] = await cards.createMany([{ id: randomUUID(), name: 'to process', pan: ciphertext(1, 'p') }]);
    await cards.claim('worker-a', 100, 60);
    expect(await cards.markProcessed('worker-b', [card!.id])).toEqual([]);
    const marked = await cards.markProcessed('worker-a', [card!.id]);
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatchObject({ status: 'PROCESSED' });
    expect(marked[0]!.processedAt).toBeInstanceOf(Date);
    expect(await cards.markProcessed('worker-a', [card!.id])).toEqual([]);
  });
});

async function count(backends: Backends): Promise<number> {
  const result = await backends.database.db.execute<{ count: string }>(
    sql`select count(*)::text as count from credit_cards`,
  );
  const rows = Array.isArray(result) ? result : (result as { rows: Array<{ count: string }> }).rows;
  return Number(rows[0]?.count);
}
