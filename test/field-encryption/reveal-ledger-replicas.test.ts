import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { group } from '../support/reveal-fixtures.ts';

describe.each(backendSets())('reveal record written by several API replicas [$name]', (set) => {
  let backends: Backends;
  beforeEach(async () => {
    backends = await set.open();
    await backends.transit.createKey(REVEAL_SEAL_KEY);
  });
  afterEach(() => backends.close());

  it('replicas taking turns, one after another and all at once, each chain onto the head the other wrote', async () => {
    const [first, second] = [1, 2].map(() => new RevealLedger(backends.database.db, backends.transit, REVEAL_SEAL_KEY));
    const append = (ledger: RevealLedger | undefined, requestId: string) =>
      ledger?.append({ requestId, subject: 's', operation: undefined, clientAddress: undefined }, [group]);
    // Each replica's next write follows a record the other wrote since its own last one.
    for (const turn of [0, 1, 2]) {
      await append(first, `first-${turn}`);
      await append(second, `second-${turn}`);
    }
    await Promise.all(Array.from({ length: 8 }, (_, n) => append(n % 2 === 0 ? first : second, `together-${n}`)));

    const rows = await backends.database.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
    expect(rows).toHaveLength(14);
    expect(rows.slice(0, 6).map((row) => row.requestId)).toEqual([
      'first-0',
      'second-0',
      'first-1',
      'second-1',
      'first-2',
      'second-2',
    ]);
    expect(await (first as RevealLedger).verify()).toEqual({ records: 14, broken: undefined });
  });
});
