import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardRepository } from '../../src/cards/card-repository.ts';
import { transitCommands } from '../../src/cli/transit/commands.ts';
import { creditCards } from '../../src/db/schema.ts';
import { transitKeysOf } from '../../src/encryption-declarations.ts';
import { ensureKeys, type TransitResult } from '../../src/field-encryption/index.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import { transitCommandInput } from '../support/transit-command.ts';

const LEGACY_KEY = 'card-pan-legacy';

function only<T>(results: TransitResult<T>[]): T {
  const [result] = results;
  if (result === undefined || !result.ok) throw result?.error ?? new Error('no result');
  return result.value;
}

describe.each(backendSets())('bind counts what it leaves unbound [$name]', (set) => {
  let backends: Backends;
  /** Rows by what they hold before the bind. */
  const rows = {
    /** Under the legacy key's v1, which is then retired (min_decryption_version 2): opens under neither key. */
    retired: [randomUUID(), randomUUID(), randomUUID()],
    /** Under the legacy key's v2: to be bound. */
    legacy: [randomUUID(), randomUUID()],
    /** Bound to its own row already. */
    bound: [randomUUID()],
    /** The bound ciphertext of the row above, copied here: bound, but to another row. */
    moved: [randomUUID()],
  };

  beforeAll(async () => {
    backends = await set.open();
    await ensureKeys(backends.transit, transitKeysOf(buildSchema(backends.config.limits)), { create: true });
    const { transit } = backends;
    await transit.createKey(LEGACY_KEY);
    const legacy = async (index: number) =>
      only(await transit.encrypt(LEGACY_KEY, [{ plaintext: Buffer.from(panFor(index)) }]));
    const stored: Array<{ id: string; name: string; pan: string }> = [];
    for (const [index, id] of rows.retired.entries()) stored.push({ id, name: 'retired', pan: await legacy(index) });
    await transit.rotateKey(LEGACY_KEY);
    for (const [index, id] of rows.legacy.entries()) stored.push({ id, name: 'legacy', pan: await legacy(10 + index) });
    const [boundId = '', movedId = ''] = [...rows.bound, ...rows.moved];
    const bound = only(
      await transit.encrypt('card-pan', [{ plaintext: Buffer.from(panFor(20)), context: Buffer.from(boundId) }]),
    );
    stored.push({ id: boundId, name: 'bound', pan: bound }, { id: movedId, name: 'moved', pan: bound });
    await new CardRepository(backends.database.db).createMany(stored);
    await transit.configureKey(LEGACY_KEY, { minDecryptionVersion: 2 });
  });
  afterAll(async () => {
    await backends?.close();
  });

  it('binds what it can, counts "bound already" only for values bound to their row, names the rest, exits 1', async () => {
    const before = await storedPans([...rows.retired, ...rows.moved]);
    const lines: string[] = [];
    const code = await transitCommands.bind?.run(
      transitCommandInput(backends, ['card-pan'], { from: LEGACY_KEY }, lines),
    );
    const summary = lines.find((line) => line.startsWith('bind credit_cards.pan from'));
    expect(summary).toMatch(
      /: 2 bound, 1 bound already, 0 changed meanwhile \(left as written\), 4 not bound, of 7, in [\d.]+ s$/,
    );
    const report = lines.find((line) => line.includes('open under neither'));
    expect(report).toContain(
      `bind credit_cards.pan: 4 values open under neither ${LEGACY_KEY} nor card-pan with their row's identity; they stay as stored.`,
    );
    for (const id of [...rows.retired, ...rows.moved]) expect(report).toContain(id);
    for (const id of [...rows.legacy, ...rows.bound]) expect(report).not.toContain(id);
    expect(code).toBe(1);
    // Left exactly as stored.
    expect(await storedPans([...rows.retired, ...rows.moved])).toEqual(before);
    // The legacy v2 values were bound to their rows.
    const legacy = await storedPans(rows.legacy);
    for (const [index, id] of rows.legacy.entries()) {
      const opened = only(
        await backends.transit.decrypt('card-pan', [{ ciphertext: legacy.get(id) ?? '', context: Buffer.from(id) }]),
      );
      expect(opened.toString()).toBe(panFor(10 + index));
    }

    // Rerun: nothing left to bind, the same four still reported.
    lines.length = 0;
    expect(
      await transitCommands.bind?.run(transitCommandInput(backends, ['card-pan'], { from: LEGACY_KEY }, lines)),
    ).toBe(1);
    expect(lines.find((line) => line.startsWith('bind credit_cards.pan from'))).toMatch(
      /: 0 bound, 3 bound already, 0 changed meanwhile \(left as written\), 4 not bound, of 7/,
    );
  });

  async function storedPans(ids: string[]): Promise<Map<string, string>> {
    const found = await backends.database.db
      .select({ id: creditCards.id, pan: creditCards.pan })
      .from(creditCards)
      .where(inArray(creditCards.id, ids));
    return new Map(found.map((row) => [row.id, row.pan]));
  }
});
