import { count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { transitCommands } from '../../src/cli/transit/commands.ts';
import * as databaseSchema from '../../src/db/schema.ts';
import { creditCards } from '../../src/db/schema.ts';
import { BlindIndexValues, reindexStoredValues, storedColumnsOf } from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets, realBackendsEnv } from '../support/backends.ts';
import { CREATE_CARD } from '../support/cards.ts';
import { panFor } from '../support/luhn-pans.ts';
import { finished, spawnTs } from '../support/spawn.ts';
import { storeCards } from '../support/stored-cards.ts';
import { transitCommandInput } from '../support/transit-command.ts';

const CARDS = 10_000;
const INDEX_KEY = 'card-pan-index';
const LOOKUP = 'query Lookup($pan: PAN!) { creditCardsByPan(pan: $pan) { id } }';

describe.each(backendSets())('rotating the blind-index key with 10,000 cards, online [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let store: BlindIndexValues;
  /** card id → number, for every card stored (the seeded ones and the client's). */
  const expected = new Map<string, string>();
  /** The numbers the client wrote during the test. */
  const written = new Set<string>();

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    const [column] = storedColumnsOf(databaseSchema).forKey(INDEX_KEY);
    if (column === undefined) throw new Error('no blind-index column for card-pan-index');
    store = new BlindIndexValues(backends.database.db, column);
    const byName = await storeCards(backends, CARDS);
    const rows = await backends.database.db.select({ id: creditCards.id, name: creditCards.name }).from(creditCards);
    for (const row of rows) expected.set(row.id, byName.get(row.name) ?? '');
  }, 600_000);
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  const command = async (name: string, args: string[], flags: Record<string, string> = {}) => {
    const lines: string[] = [];
    const code = await transitCommands[name]?.run(transitCommandInput(backends, args, flags, lines));
    return { code, output: lines.join('\n') };
  };

  /**
   * Every 97th card and every card the client wrote: each number finds exactly its cards. Each lookup
   * is a clerk of its own, so that the exactness checked here is not cut short by the existence budget.
   */
  async function lookupsExact(phase: string): Promise<number> {
    const byPan = new Map<string, string[]>();
    for (const [id, pan] of expected) byPan.set(pan, [...(byPan.get(pan) ?? []), id]);
    const pans = [...byPan.keys()].filter((pan, index) => index % 97 === 0 || written.has(pan));
    for (const [n, pan] of pans.entries()) {
      const found = await api.gql<{ creditCardsByPan: Array<{ id: string }> }>(LOOKUP, {
        token: await issueToken(backends.config.auth, ['clerk'], `clerk-${phase}-${n}`),
        variables: { pan },
      });
      expect(found.errors, phase).toBeUndefined();
      expect(found.data?.creditCardsByPan.map((card) => card.id).sort(), `${phase}: ${pan.slice(-4)}`).toEqual(
        [...(byPan.get(pan) ?? [])].sort(),
      );
    }
    return pans.length;
  }

  async function countBy(version: 1 | 2 | null): Promise<number> {
    const [row] = await backends.database.db
      .select({ n: count() })
      .from(creditCards)
      .where(version === null ? isNull(creditCards.panIndex) : eq(creditCards.panIndexKeyVersion, version));
    return Number(row?.n ?? 0);
  }

  /**
   * On PostgreSQL + OpenBao: `npm run transit -- reindex` in its own process, SIGKILLed once it reports
   * half the rows done. Embedded: PGlite is one process per database, so the run stops in-process.
   */
  async function stopHalfWay(): Promise<{ done: number; total: number; how: string }> {
    const real = realBackendsEnv(backends);
    if (real !== undefined) {
      const child = spawnTs('src/cli/transit.ts', ['reindex', INDEX_KEY, '--batch-size', '500'], {
        ...real,
        LOG_LEVEL: 'silent',
      });
      const exit = finished(child);
      let last = { done: 0, total: 0, how: 'CLI process killed with SIGKILL' };
      child.stderr?.on('data', (chunk: Buffer) => {
        for (const match of chunk.toString().matchAll(/: (\d+)\/(\d+) \([\d.]+%\)/g)) {
          last = { ...last, done: Number(match[1]), total: Number(match[2]) };
          if (last.done >= CARDS / 2) child.kill('SIGKILL');
        }
      });
      const result = await exit;
      expect(result.code, result.stderr).toBeNull();
      return last;
    }
    const controller = new AbortController();
    let last = { done: 0, total: 0, how: 'stopped in-process between batches' };
    await expect(
      reindexStoredValues(backends.transit, store, {
        batchSize: 500,
        signal: controller.signal,
        onProgress: (step) => {
          last = { ...last, done: step.done, total: step.total };
          if (step.done >= CARDS / 2) controller.abort();
        },
      }),
    ).rejects.toThrow();
    return last;
  }

  it('lookups stay exact before, during and after reindex while a client writes; then v1 retires', async () => {
    let writing = true;
    let writerFailed: unknown;
    const writer = (async () => {
      for (let index = 0; writing; index += 1) {
        const pan = panFor(50_000 + index);
        const answer = await api.gql<{ createCreditCard: { id: string } }>(CREATE_CARD, {
          role: 'clerk',
          variables: { input: { name: `New ${index}`, pan } },
        });
        expect(answer.errors).toBeUndefined();
        const id = answer.data?.createCreditCard.id;
        if (id !== undefined) expected.set(id, pan);
        written.add(pan);
      }
    })().catch((error: unknown) => {
      writerFailed = error;
    });
    const nextWrite = async () => {
      const size = expected.size;
      while (expected.size === size) {
        if (writerFailed !== undefined) throw writerFailed;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    await nextWrite();
    await lookupsExact('before rotation');
    await backends.transit.rotateKey(INDEX_KEY);
    await nextWrite();
    await lookupsExact('rotated, not reindexed');
    expect(await countBy(2)).toBeGreaterThan(0); // the client's cards since the rotation

    const refused = await command('retire', [INDEX_KEY, '2']);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      /blind index values are older than v2; run `npm run transit -- reindex card-pan-index`/,
    );
    await expect(command('rewrap', [INDEX_KEY])).rejects.toThrow(
      /cannot be rewrapped; run `npm run transit -- reindex/,
    );

    const halfway = await stopHalfWay();
    expect(halfway.done).toBeGreaterThanOrEqual(CARDS / 2);
    expect(halfway.done).toBeLessThan(halfway.total);
    await nextWrite();
    await lookupsExact('reindex stopped half-way');

    const rerun = await command('reindex', [INDEX_KEY], { 'batch-size': '1000' });
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).toMatch(
      /reindex credit_cards\.pan_index: \d+\/\d+ \([\d.]+%\), \d+ reindexed, \d+ rows\/s, ETA /,
    );
    const summary = rerun.output.match(
      /reindex credit_cards\.pan_index to v2 of card-pan-index: (\d+) reindexed, (\d+) changed meanwhile \(left as written\), 0 undecryptable, of (\d+)/,
    );
    expect(summary).not.toBeNull();
    await nextWrite();
    writing = false;
    await writer;
    if (writerFailed !== undefined) throw writerFailed;

    expect(await countBy(1)).toBe(0);
    expect(await countBy(null)).toBe(0);
    const retired = await command('retire', [INDEX_KEY, '2']);
    expect(retired.code, retired.output).toBe(0);
    expect((await backends.transit.readKey(INDEX_KEY)).minDecryptionVersion).toBe(2);
    const checked = await lookupsExact('after reindex and retire');
    console.log(
      `[reindex] ${set.name}: first run stopped at ${halfway.done}/${halfway.total} (${halfway.how}); rerun: ${summary?.[1]} reindexed, ${summary?.[2]} changed meanwhile, of ${summary?.[3]}; ${expected.size - CARDS} cards written by the client; ${checked} numbers looked up per phase at the end`,
    );
  }, 900_000);
});
