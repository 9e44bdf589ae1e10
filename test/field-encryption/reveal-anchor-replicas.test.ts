import { gt } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { group, request } from '../support/reveal-fixtures.ts';

describe.each(backendSets())('replicas around an acknowledged loss [$name]', (set) => {
  let backends: Backends;
  beforeEach(async () => {
    backends = await set.open();
    await backends.transit.createKey(REVEAL_SEAL_KEY);
  });
  afterEach(() => backends.close());

  it('the replica that wrote the cut rows is refused until the loss is acknowledged; every replica then checkpoints in the new epoch', async () => {
    const ledger = () => new RevealLedger(backends.database.db, backends.transit, REVEAL_SEAL_KEY);
    const [early, late, operator] = [ledger(), ledger(), ledger()];
    await early.append(request('early'), [group]);
    await early.flushCheckpoints();
    for (let n = 0; n < 2; n++) await late.append(request(`late-${n}`), [group]);
    await late.flushCheckpoints();
    const [first] = await backends.database.db.select().from(revealEvents);
    await backends.database.db.delete(revealEvents).where(gt(revealEvents.seq, first?.seq as number));
    await expect(late.append(request('refused'), [group])).rejects.toThrow('cut tail');

    const entry = await operator.acknowledgeLoss('alice', 'test');
    expect((await backends.transit.anchor().read())?.epoch).toBe(1);
    // `early` knows only its own row, which is still there: it chains on, and its checkpoint joins the new epoch.
    await early.append(request('early-after'), [group]);
    await early.flushCheckpoints();
    let checkpoint = await backends.transit.anchor().read();
    expect(checkpoint?.epoch).toBe(1);
    expect(checkpoint?.seq).toBeGreaterThan(entry.seq);
    // `late` takes the acknowledged checkpoint without a restart.
    await late.append(request('late-after'), [group]);
    await late.flushCheckpoints();
    checkpoint = await backends.transit.anchor().read();
    const rows = await backends.database.db.select().from(revealEvents);
    expect(checkpoint).toMatchObject({ epoch: 1, seq: rows[rows.length - 1]?.seq });
    expect(await operator.verify()).toEqual({ records: 4, broken: undefined });
    for (const each of [early, late, operator]) await each.close();
  });
});
