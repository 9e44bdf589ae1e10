import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { chainHash } from '../../src/field-encryption/audit/reveal-chain.ts';
import { RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const LIST = 'query ListCards { creditCards { nodes { id pan } } }';
const CONCURRENT = 24;

describe.each(backendSets())('reveal record writes are group commits [$name]', (set) => {
  const context = useTestApi(set);

  it('concurrent requests are all recorded; appends made during a write share the next write and its seal; a changed row under a shared seal is caught', async () => {
    const { api, backends } = context;
    const db = backends.database.db;
    await api.gql(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'A', pan: PANS.carlos },
          { name: 'B', pan: PANS.visa },
        ],
      },
    });
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => api.gql(LIST, { role: 'processor' })));
    expect(answers.every((answer) => answer.errors === undefined)).toBe(true);

    const ledger = new RevealLedger(db, backends.transit, REVEAL_SEAL_KEY);
    const viaApi = await db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
    expect(viaApi).toHaveLength(CONCURRENT);
    expect(new Set(viaApi.map((row) => row.requestId)).size).toBe(CONCURRENT);
    expect(await ledger.verify()).toEqual({ records: CONCURRENT, broken: undefined });

    // Appends made while a write is in flight go together in the next one: here 1, then 23.
    const group = { field: 'Thing.secret', key: 'k', role: 'r', mask: 'NONE', recordIds: ['x'], count: 1 };
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, n) =>
        ledger.append({ requestId: `direct-${n}`, subject: `s-${n}`, operation: undefined, clientAddress: undefined }, [
          group,
        ]),
      ),
    );
    const rows = (await db.select().from(revealEvents).orderBy(asc(revealEvents.seq))).slice(CONCURRENT);
    expect(rows.map((row) => row.requestId)).toEqual(Array.from({ length: CONCURRENT }, (_, n) => `direct-${n}`));
    expect(rows.map((row, index) => (row.seal === null ? null : index))).toEqual([
      0,
      ...Array(CONCURRENT - 2).fill(null),
      CONCURRENT - 1,
    ]);
    expect(await ledger.verify()).toEqual({ records: 2 * CONCURRENT, broken: undefined });

    // Someone with database access changes an unsealed row and recomputes every hash after it.
    const target = rows.findIndex((row, index) => row.seal === null && index > 0);
    const nextSeal = rows.slice(target).find((row) => row.seal !== null);
    if (nextSeal === undefined) throw new Error('a write ends on a sealed row');
    let prevHash = rows[target - 1]?.hash as string;
    for (const row of rows.slice(target)) {
      const changed = { ...row, prevHash, subject: row.seq === rows[target]?.seq ? 'nobody' : row.subject };
      changed.hash = chainHash(changed);
      prevHash = changed.hash;
      await db
        .update(revealEvents)
        .set({ subject: changed.subject, prevHash: changed.prevHash, hash: changed.hash })
        .where(eq(revealEvents.seq, row.seq));
    }
    expect((await ledger.verify()).broken).toEqual({
      seq: nextSeal.seq,
      problem: 'its seal is not a transit HMAC of its hash (forged)',
    });
  });
});
