import { asc, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const LIST = 'query ListCards { creditCards { nodes { id pan } } }';

describe.each(backendSets())('rotating the reveal seal key [$name]', (set) => {
  const context = useTestApi(set);

  it('older records keep verifying under the version that sealed them; a forged seal under any version is still caught', async () => {
    const { api, backends } = context;
    const ledger = new RevealLedger(backends.database.db, backends.transit, REVEAL_SEAL_KEY);
    await api.gql(CREATE_CARDS, { role: 'clerk', variables: { inputs: [{ name: 'A', pan: PANS.carlos }] } });
    await api.gql(LIST, { role: 'processor' });
    await api.gql(LIST, { role: 'support' });
    await backends.transit.rotateKey(REVEAL_SEAL_KEY);
    await api.gql(LIST, { role: 'processor' });

    const rows = await backends.database.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
    expect(rows.map((row) => row.seal?.split(':')[1])).toEqual(['v1', 'v1', 'v2']);
    const hmac = vi.spyOn(backends.transit, 'hmac');
    expect(await ledger.verify()).toEqual({ records: 3, broken: undefined });
    // One transit call per seal version for the whole record, not one per sealed record.
    expect(hmac.mock.calls.map(([key, items, options]) => [key, items.length, options])).toEqual([
      [REVEAL_SEAL_KEY, 2, { version: 1 }],
      [REVEAL_SEAL_KEY, 1, { version: 2 }],
    ]);
    hmac.mockRestore();

    // A v1 record re-sealed by someone who relabels a v2 seal as v1 (or the other way) is caught.
    const [first, , third] = rows;
    if (first === undefined || third === undefined) throw new Error('expected three records');
    const relabelled = `vault:v2:${first.seal?.split(':')[2]}`;
    await backends.database.db.update(revealEvents).set({ seal: relabelled }).where(eq(revealEvents.seq, first.seq));
    expect((await ledger.verify()).broken).toEqual({
      seq: first.seq,
      problem: 'its seal is not a transit HMAC of its hash (forged)',
    });
    await backends.database.db.update(revealEvents).set({ seal: first.seal }).where(eq(revealEvents.seq, first.seq));
    const future = `vault:v9:${third.seal?.split(':')[2]}`;
    await backends.database.db.update(revealEvents).set({ seal: future }).where(eq(revealEvents.seq, third.seq));
    expect((await ledger.verify()).broken?.seq).toBe(third.seq);
    await backends.database.db.update(revealEvents).set({ seal: third.seal }).where(eq(revealEvents.seq, third.seq));
    expect((await ledger.verify()).broken).toBeUndefined();
  });
});
