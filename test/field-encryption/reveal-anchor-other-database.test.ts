import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { RevealLedger } from '../../src/field-encryption/index.ts';
import { FileAnchor } from '../../src/field-encryption/transit/embedded/file-anchor.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { group, request } from '../support/reveal-fixtures.ts';

describe.each(backendSets())('a different database behind the same key service [$name]', (set) => {
  let ours: Backends;
  let theirs: Backends;
  beforeEach(async () => {
    [ours, theirs] = [await set.open(), await set.open()];
    await ours.transit.createKey(REVEAL_SEAL_KEY);
  });
  afterEach(async () => {
    await ours.close();
    await theirs.close();
  });

  it('a record sealed under the same key but not the one checkpointed is named as rewritten, and not chained onto', async () => {
    const ledger = new RevealLedger(ours.database.db, ours.transit, REVEAL_SEAL_KEY);
    for (let n = 0; n < 3; n++) await ledger.append(request(`ours-${n}`), [group]);
    await ledger.close();
    // Another database holding a valid chain of the same length, sealed by the same key, checkpointed elsewhere.
    const elsewhere = new RevealLedger(theirs.database.db, ours.transit, REVEAL_SEAL_KEY, {
      anchor: new FileAnchor(undefined),
    });
    for (let n = 0; n < 3; n++) await elsewhere.append(request(`theirs-${n}`), [group]);
    await elsewhere.close();

    const swapped = new RevealLedger(theirs.database.db, ours.transit, REVEAL_SEAL_KEY);
    const { broken } = await swapped.verify();
    expect(broken?.cut).toBe('rewritten record');
    expect(broken?.problem).toMatch(/^rewritten record: the record at seq \d+ is not the one checkpointed in /);
    await expect(swapped.append(request('next'), [group])).rejects.toThrow('rewritten record');
  });
});
