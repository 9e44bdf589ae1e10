import { randomUUID } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardRepository } from '../../src/cards/card-repository.ts';
import { transitCommands } from '../../src/cli/transit/commands.ts';
import * as databaseSchema from '../../src/db/schema.ts';
import { creditCards } from '../../src/db/schema.ts';
import {
  bindStoredValues,
  StoredValues,
  storedColumnsOf,
  type TransitResult,
} from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets, realBackendsEnv } from '../support/backends.ts';
import { CREATE_CARD } from '../support/cards.ts';
import { panFor } from '../support/luhn-pans.ts';
import { finished, spawnTs } from '../support/spawn.ts';
import { transitCommandInput } from '../support/transit-command.ts';

const CARDS = 10_000;
const LEGACY_KEY = 'card-pan-unbound';

function values<T>(results: TransitResult<T>[]): T[] {
  return results.map((result) => {
    if (!result.ok) throw result.error;
    return result.value;
  });
}

describe.each(backendSets())('binding 10,000 existing non-derived cards online [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let store: StoredValues;
  const expected = new Map<string, string>();

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    const [column] = storedColumnsOf(databaseSchema).forKey('card-pan');
    if (column === undefined) throw new Error('no stored column for card-pan');
    store = new StoredValues(backends.database.db, column);
    // What an existing deployment holds: PANs under a non-derived key, bound to nothing.
    await backends.transit.createKey(LEGACY_KEY);
    const cards = Array.from({ length: CARDS }, (_, index) => ({
      id: randomUUID(),
      name: `Old ${index}`,
      pan: panFor(index),
    }));
    const repository = new CardRepository(backends.database.db);
    for (let start = 0; start < CARDS; start += 2000) {
      const slice = cards.slice(start, start + 2000);
      const sealed = values(
        await backends.transit.encrypt(
          LEGACY_KEY,
          slice.map((card) => ({ plaintext: Buffer.from(card.pan) })),
        ),
      );
      await repository.createMany(
        slice.map((card, index) => ({ id: card.id, name: card.name, pan: sealed[index] ?? '' })),
      );
    }
    for (const card of cards) expected.set(card.id, card.pan);
  }, 600_000);
  /**
   * On Postgres + OpenBao: `npm run transit -- bind` in its own process, SIGKILLed once it reports half
   * the rows done. Embedded: PGlite is one process per database, so the run is stopped in-process
   * between batches.
   */
  async function stopHalfWay(): Promise<{ done: number; total: number; bound: number; how: string }> {
    const real = realBackendsEnv(backends);
    if (real !== undefined) {
      const child = spawnTs('src/cli/transit.ts', ['bind', 'card-pan', '--from', LEGACY_KEY], {
        ...real,
        LOG_LEVEL: 'silent',
      });
      const exit = finished(child);
      let last = { done: 0, total: 0, bound: 0, how: 'CLI process killed with SIGKILL' };
      child.stderr?.on('data', (chunk: Buffer) => {
        for (const match of chunk.toString().matchAll(/: (\d+)\/(\d+) \([\d.]+%\), (\d+) bound/g)) {
          last = { ...last, done: Number(match[1]), total: Number(match[2]), bound: Number(match[3]) };
          if (last.done >= CARDS / 2) child.kill('SIGKILL');
        }
      });
      const result = await exit;
      expect(result.code).toBeNull();
      return last;
    }
    const controller = new AbortController();
    let last = { done: 0, total: 0, bound: 0, how: 'stopped in-process between batches' };
    await expect(
      bindStoredValues(backends.transit, store, {
        fromKey: LEGACY_KEY,
        batchSize: 100,
        signal: controller.signal,
        onProgress: (step) => {
          last = { ...last, done: step.done, total: step.total, bound: step.bound };
          if (step.done >= CARDS / 2) controller.abort();
        },
      }),
    ).rejects.toThrow();
    return last;
  }

  /** What a run's summary line says (`npm run transit -- bind` prints one per column). */
  const SUMMARY =
    /bind credit_cards\.pan from \S+ to card-pan: (\d+) bound, (\d+) bound already, (\d+) changed meanwhile \(left as written\), (\d+) not bound, of (\d+), in ([\d.]+) s/;

  /**
   * The rerun, through the CLI as well: on Postgres + OpenBao `npm run transit -- bind` in a process of its
   * own, run to the end; embedded (PGlite in memory is this process's) the same bind command in-process.
   */
  async function rerun(): Promise<{
    code: number | null;
    bound: number;
    alreadyBound: number;
    skipped: number;
    notBound: number;
    total: number;
    seconds: number;
    how: string;
  }> {
    const real = realBackendsEnv(backends);
    let code: number | null | undefined;
    let output: string;
    let how: string;
    if (real !== undefined) {
      const result = await finished(
        spawnTs('src/cli/transit.ts', ['bind', 'card-pan', '--from', LEGACY_KEY], { ...real, LOG_LEVEL: 'silent' }),
      );
      code = result.code;
      output = result.stdout;
      how = 'CLI process';
    } else {
      const lines: string[] = [];
      code = await transitCommands.bind?.run(transitCommandInput(backends, ['card-pan'], { from: LEGACY_KEY }, lines));
      output = lines.join('\n');
      how = 'bind command in-process';
    }
    const match = SUMMARY.exec(output);
    if (match === null) throw new Error(`no summary line in the bind output (exit ${code}):\n${output}`);
    const [bound, alreadyBound, skipped, notBound, total, seconds] = match.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return { code: code ?? null, bound, alreadyBound, skipped, notBound, total, seconds, how };
  }

  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('binds every card while a client keeps writing; stopped half-way and rerun, it finishes', async () => {
    let writing = true;
    const written: Array<Promise<void>> = [];
    let writerFailed: unknown;
    const writer = (async () => {
      for (let index = 0; writing; index += 1) {
        const pan = panFor(50_000 + index);
        // A connection reset by a busy machine is a write never acknowledged: the client tries the next one.
        const answer = await api
          .gql<{ createCreditCard: { id: string } }>(CREATE_CARD, {
            role: 'clerk',
            variables: { input: { name: `New ${index}`, pan } },
          })
          .catch((error: unknown) => {
            if (error instanceof TypeError && error.message === 'fetch failed') return undefined;
            throw error;
          });
        if (answer === undefined) continue;
        expect(answer.errors).toBeUndefined();
        const id = answer.data?.createCreditCard.id;
        if (id !== undefined) expected.set(id, pan);
      }
    })().catch((error: unknown) => {
      writerFailed = error;
    });
    written.push(writer);
    /** Waits for the client's next acknowledged write; a writer that failed fails the test at once. */
    const nextWrite = async (size: number) => {
      while (expected.size === size) {
        if (writerFailed !== undefined) throw writerFailed;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await nextWrite(CARDS);
    const beforeBind = expected.size;

    const halfway = await stopHalfWay();
    expect(halfway.done).toBeGreaterThanOrEqual(CARDS / 2);
    expect(halfway.done).toBeLessThan(CARDS);

    // Half the cards bound, half not: the client's next write lands in the middle of the migration.
    await nextWrite(expected.size);
    const resumed = await rerun();
    const writtenDuringBind = expected.size - beforeBind;
    writing = false;
    await Promise.all(written);
    if (writerFailed !== undefined) throw writerFailed;
    console.log(
      `[bind] ${set.name}: first run stopped at ${halfway.done}/${halfway.total} (${halfway.bound} bound, ${halfway.how}); rerun (${resumed.how}, exit ${resumed.code}): ${resumed.bound} bound, ${resumed.alreadyBound} bound already, ${resumed.skipped} changed meanwhile, ${resumed.notBound} not bound, ${resumed.total} rows in ${resumed.seconds.toFixed(1)} s; ${writtenDuringBind} cards written by the client during the runs`,
    );
    expect(resumed.code).toBe(0);
    expect(writtenDuringBind).toBeGreaterThan(0);
    // A killed run may have written one more batch after its last progress line: the rerun does the rest.
    expect(resumed.bound).toBeGreaterThan(0);
    expect(resumed.bound).toBeLessThanOrEqual(CARDS - halfway.bound);
    expect(resumed.skipped).toBe(0);
    expect(resumed.notBound).toBe(0);

    const rows = await backends.database.db
      .select({ id: creditCards.id, pan: creditCards.pan })
      .from(creditCards)
      .orderBy(asc(creditCards.seq));
    expect(rows).toHaveLength(expected.size);
    const bound = await backends.transit.decrypt(
      'card-pan',
      rows.map((row) => ({ ciphertext: row.pan, context: Buffer.from(row.id) })),
    );
    expect(values(bound).map((plaintext) => plaintext.toString())).toEqual(rows.map((row) => expected.get(row.id)));
    const underLegacy = await backends.transit.decrypt(
      LEGACY_KEY,
      rows.map((row) => ({ ciphertext: row.pan })),
    );
    expect(underLegacy.filter((result) => result.ok)).toHaveLength(0);
    const [first, second] = rows;
    if (first === undefined || second === undefined) throw new Error('no rows');
    const [moved] = await backends.transit.decrypt('card-pan', [
      { ciphertext: first.pan, context: Buffer.from(second.id) },
    ]);
    expect(moved?.ok === false && moved.error.code).toBe('INVALID_CIPHERTEXT');
  }, 600_000);
});
