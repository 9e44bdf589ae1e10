import { randomUUID } from 'node:crypto';
import { count, desc, eq, isNotNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CardRepository } from '../../src/cards/card-repository.ts';
import { DuplicateCardError } from '../../src/cards/duplicate-cards.ts';
import { creditCards } from '../../src/db/schema.ts';
import { EXISTENCE_MASK, revealEvents } from '../../src/field-encryption/index.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { countCards } from '../support/cards.ts';
import { panFor } from '../support/luhn-pans.ts';
import { storeCards } from '../support/stored-cards.ts';

const STORED = 10_000;
const LOOKUP = `query Lookup($pan: PAN!) { creditCardsByPan(pan: $pan) { id name pan } }`;
const CREATE = `mutation Create($input: CreditCardInput!, $onDuplicate: OnDuplicate) {
  createCreditCard(input: $input, onDuplicate: $onDuplicate) { id name pan }
}`;
const CREATE_MANY = `mutation CreateMany($inputs: [CreditCardInput!]!, $onDuplicate: OnDuplicate) {
  createCreditCards(inputs: $inputs, onDuplicate: $onDuplicate) { id name }
}`;
type Found = { creditCardsByPan: Array<{ id: string; name: string; pan: string | null }> };
type Created = { createCreditCard: { id: string; name: string; pan: string } };
type CreatedMany = { createCreditCards: Array<{ id: string; name: string }> };

/** `4000 0000-0000 1234`-style: the number with spaces and dashes. */
const formatted = (pan: string) =>
  pan.replace(/(\d{4})(?=\d)/g, (group, _digits, offset: number) => `${group}${offset % 8 === 0 ? ' ' : '-'}`);

describe.each(backendSets())('finding a card by its number: the blind index [$name]', (set) => {
  const context = useTestApi(set);
  const repeated = panFor(900_001);
  const repeatedIds: string[] = [];

  const lookup = (pan: string, role = 'clerk') => context.api.gql<Found>(LOOKUP, { role, variables: { pan } });
  const create = (pan: string, name: string, onDuplicate?: string) =>
    context.api.gql<Created>(CREATE, { role: 'clerk', variables: { input: { name, pan }, onDuplicate } });
  const revealRows = async () => {
    const [row] = await context.backends.database.db.select({ n: count() }).from(revealEvents);
    return row?.n ?? 0;
  };

  beforeAll(async () => {
    await storeCards(context.backends, STORED);
    for (const name of ['R1', 'R2', 'R3']) {
      const created = await create(repeated, name);
      expect(created.errors).toBeUndefined();
      repeatedIds.push(created.data?.createCreditCard.id ?? '');
    }
  }, 600_000);

  it(`finds exactly the cards holding a number among ${STORED} (formatted input too); a wrong number finds none`, async () => {
    const found = await lookup(formatted(repeated));
    expect(found.errors).toBeUndefined();
    expect(found.data?.creditCardsByPan.map((card) => card.id)).toEqual(repeatedIds);
    expect(found.data?.creditCardsByPan.every((card) => card.pan?.startsWith('vault:v'))).toBe(true);
    for (const n of [0, 1234, 7777, STORED - 1]) {
      const one = await lookup(formatted(panFor(n)));
      expect(one.data?.creditCardsByPan.map((card) => card.name)).toEqual([`Card ${n}`]);
    }
    expect((await lookup(panFor(STORED + 5))).data?.creditCardsByPan).toEqual([]);
  });

  it('refuses an invalid number with BAD_USER_INPUT, without echoing it', async () => {
    const invalid = `${panFor(42).slice(0, -1)}${(Number(panFor(42).slice(-1)) + 1) % 10}`;
    const response = await lookup(invalid);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response)).not.toContain(invalid);
    expect(JSON.stringify(response)).not.toContain(invalid.slice(4, 12));
  });

  it('answers each card as the caller may read it; every lookup records what it found, a ciphertext answer nothing more', async () => {
    const before = await revealRows();
    const clerk = await lookup(repeated, 'clerk');
    expect(clerk.data?.creditCardsByPan.every((card) => card.pan?.startsWith('vault:v'))).toBe(true);
    const [found] = await context.backends.database.db
      .select()
      .from(revealEvents)
      .where(eq(revealEvents.subject, 'test-clerk'))
      .orderBy(desc(revealEvents.seq))
      .limit(1);
    expect(found).toMatchObject({ mask: EXISTENCE_MASK, field: 'Query.creditCardsByPan.pan', count: 1 });
    expect(found?.recordIds).toEqual(repeatedIds);
    expect(await revealRows()).toBe(before + 1);
    const support = await lookup(repeated, 'support');
    expect(support.data?.creditCardsByPan.map((card) => card.pan)).toEqual(
      repeatedIds.map(() => `************${repeated.slice(-4)}`),
    );
    const processor = await lookup(repeated, 'processor');
    expect(processor.data?.creditCardsByPan.map((card) => card.pan)).toEqual(repeatedIds.map(() => repeated));
    const records = await context.backends.database.db.select().from(revealEvents);
    const byProcessor = records.filter((record) => record.role === 'processor' && record.operation === 'Lookup');
    expect(byProcessor).toHaveLength(1);
    expect(byProcessor[0]?.recordIds).toEqual(repeatedIds);
    // Each lookup's existence answer, support's masked reveal and the processor's.
    expect(records.length).toBe(before + 5);
    const keyAdmin = await lookup(repeated, 'key-admin');
    expect(keyAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the index column leaks nothing: one value per number, never shared, no PAN in any encoding', async () => {
    const rows = await context.backends.database.db
      .select({ name: creditCards.name, index: creditCards.panIndex, version: creditCards.panIndexKeyVersion })
      .from(creditCards)
      .where(isNotNull(creditCards.panIndex));
    const byIndex = new Map<string, Set<string>>();
    for (const row of rows) {
      const number = row.name.startsWith('Card ') ? panFor(Number(row.name.slice(5))) : repeated;
      byIndex.set(row.index ?? '', (byIndex.get(row.index ?? '') ?? new Set()).add(number));
      expect(row.version).toBe(1);
    }
    expect([...byIndex.values()].every((numbers) => numbers.size === 1)).toBe(true);
    const repeatedIndexes = rows.filter((row) => row.name.startsWith('R')).map((row) => row.index);
    expect(new Set(repeatedIndexes).size).toBe(1);
    expect(byIndex.size).toBe(STORED + 1);
    for (const n of [0, 1, 4321, STORED - 1]) {
      const pan = panFor(n);
      const [row] = rows.filter((candidate) => candidate.name === `Card ${n}`);
      const stored = row?.index ?? '';
      const payload = Buffer.from(stored.split(':')[2] ?? '', 'base64');
      for (const encoding of [
        pan,
        pan.slice(-8),
        Buffer.from(pan).toString('base64'),
        Buffer.from(pan).toString('hex'),
      ]) {
        expect(stored).not.toContain(encoding);
        expect(payload.toString('latin1')).not.toContain(pan.slice(-8));
        expect(payload.toString('hex')).not.toContain(Buffer.from(pan.slice(-8)).toString('hex'));
      }
    }
  });

  it('onDuplicate on a single create: ALLOW stores, REJECT names the card on file, RETURN_EXISTING answers it', async () => {
    const pan = panFor(900_100);
    const first = await create(pan, 'D first', 'REJECT');
    expect(first.errors).toBeUndefined();
    const firstId = first.data?.createCreditCard.id;
    const before = await countCards(context.backends);
    const rejected = await create(formatted(pan), 'D again', 'REJECT');
    expect(rejected.errors?.[0]?.extensions).toMatchObject({ code: 'DUPLICATE', existingId: firstId });
    expect(JSON.stringify(rejected)).not.toContain(pan);
    expect(await countCards(context.backends)).toBe(before);
    const existing = await create(pan, 'D returned', 'RETURN_EXISTING');
    expect(existing.data?.createCreditCard).toMatchObject({ id: firstId, name: 'D first' });
    expect(await countCards(context.backends)).toBe(before);
    const allowed = await create(pan, 'D allowed', 'ALLOW');
    expect(allowed.data?.createCreditCard.id).not.toBe(firstId);
    expect(await countCards(context.backends)).toBe(before + 1);
    const defaulted = await create(pan, 'D default');
    expect(defaulted.errors).toBeUndefined();
    expect(await countCards(context.backends)).toBe(before + 2);
  });

  it('onDuplicate on a bulk create: duplicates within the batch and against the store', async () => {
    const onFile = panFor(3); // Card 3
    const fresh = panFor(900_200);
    const other = panFor(900_201);
    const inputs = [
      { name: 'B0', pan: fresh },
      { name: 'B1', pan: formatted(onFile) },
      { name: 'B2', pan: other },
      { name: 'B3', pan: formatted(fresh) },
    ];
    const [card3] = await context.backends.database.db
      .select({ id: creditCards.id })
      .from(creditCards)
      .where(eq(creditCards.name, 'Card 3'));
    const before = await countCards(context.backends);
    const rejected = await context.api.gql<CreatedMany>(CREATE_MANY, {
      role: 'clerk',
      variables: { inputs, onDuplicate: 'REJECT' },
    });
    expect(rejected.errors?.[0]?.extensions).toMatchObject({
      code: 'DUPLICATE',
      existingId: card3?.id,
      duplicates: [
        { index: 1, existingId: card3?.id },
        { index: 3, duplicateOfIndex: 0 },
      ],
    });
    expect(await countCards(context.backends)).toBe(before);
    const returned = await context.api.gql<CreatedMany>(CREATE_MANY, {
      role: 'clerk',
      variables: { inputs, onDuplicate: 'RETURN_EXISTING' },
    });
    const answered = returned.data?.createCreditCards ?? [];
    expect(answered.map((card) => card.name)).toEqual(['B0', 'Card 3', 'B2', 'B0']);
    expect(answered[3]?.id).toBe(answered[0]?.id);
    expect(answered[1]?.id).toBe(card3?.id);
    expect(await countCards(context.backends)).toBe(before + 2);
    const allowed = await context.api.gql<CreatedMany>(CREATE_MANY, {
      role: 'clerk',
      variables: { inputs, onDuplicate: 'ALLOW' },
    });
    expect(allowed.data?.createCreditCards).toHaveLength(4);
    expect(await countCards(context.backends)).toBe(before + 6);
  });

  it('concurrent creates of one number with REJECT: exactly one is stored, the others name it', async () => {
    const pan = panFor(900_300);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => create(pan, `X${index}`, 'REJECT')));
    const stored = answers.filter((answer) => answer.errors === undefined);
    expect(stored).toHaveLength(1);
    const id = stored[0]?.data?.createCreditCard.id;
    for (const answer of answers.filter((candidate) => candidate.errors !== undefined)) {
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'DUPLICATE', existingId: id });
    }
    expect((await lookup(pan)).data?.creditCardsByPan.map((card) => card.id)).toEqual([id]);
  });

  it('concurrent repository transactions with REJECT: one card per number (the advisory lock)', async () => {
    const repository = new CardRepository(context.backends.database.db);
    const numbers = Array.from(
      { length: 5 },
      (_, n) => `vault:v1:${Buffer.from(`race-${randomUUID()}-${n}`).toString('base64')}`,
    );
    const attempts = numbers.flatMap((latest) =>
      Array.from({ length: 16 }, () =>
        repository
          .createMany(
            [
              {
                id: randomUUID(),
                name: 'race',
                pan: `vault:v1:${Buffer.from(randomUUID()).toString('base64')}`,
                panIndex: { latest, candidates: [latest] },
              },
            ],
            'REJECT',
          )
          .then(
            () => 'stored',
            (error: unknown) => (error instanceof DuplicateCardError ? 'duplicate' : Promise.reject(error)),
          ),
      ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((outcome) => outcome === 'stored')).toHaveLength(numbers.length);
    for (const latest of numbers) {
      const rows = await context.backends.database.db
        .select({ id: creditCards.id })
        .from(creditCards)
        .where(eq(creditCards.panIndex, latest));
      expect(rows).toHaveLength(1);
    }
  });
});
