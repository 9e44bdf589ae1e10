import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as databaseSchema from '../../src/db/schema.ts';
import { creditCards } from '../../src/db/schema.ts';
import {
  RetireRefusedError,
  type RewrapProgress,
  retireVersionsBelow,
  rewrapStoredValues,
  StoredValues,
  storedColumnsOf,
  type Transit,
  TransitError,
} from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import { storeCards } from '../support/stored-cards.ts';

const KEY_VERSIONS = 'query Versions($key: String!) { keyVersions(key: $key) { version storedValues } }';
const REWRAP = `mutation Rewrap($name: String!) {
  rewrapKey(name: $name) { key latestVersion total rewrapped skipped failed }
}`;
const LIST = '{ creditCards(first: 1000) { nodes { name pan panKeyVersion } } }';

describe.each(backendSets())('key lifecycle: rewrap, retire, key versions [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let store: StoredValues;

  beforeEach(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    const [column] = storedColumnsOf(databaseSchema).forKey('card-pan');
    if (column === undefined) throw new Error('no stored column for card-pan');
    store = new StoredValues(backends.database.db, column);
  });
  afterEach(async () => {
    await api?.close();
    await backends?.close();
  });

  async function processorSees(): Promise<Map<string, string>> {
    const answer = await api.gql<{ creditCards: { nodes: Array<{ name: string; pan: string }> } }>(LIST, {
      role: 'processor',
    });
    expect(answer.errors).toBeUndefined();
    return new Map(answer.data?.creditCards.nodes.map((card) => [card.name, card.pan]));
  }

  it('counts stored values per version, rewraps them all to the latest, and only then retires v1', async () => {
    const pans = await storeCards(backends, 40);
    await backends.transit.rotateKey('card-pan');
    const later = await storeCards(backends, 5, 1000);

    const before = await api.gql(KEY_VERSIONS, { role: 'support', variables: { key: 'card-pan' } });
    expect(before.data).toEqual({
      keyVersions: [
        { version: 1, storedValues: 40 },
        { version: 2, storedValues: 5 },
      ],
    });

    await expect(retireVersionsBelow(backends.transit, [store], 'card-pan', 2)).rejects.toThrow(
      /40 stored values are older than v2/,
    );
    expect((await backends.transit.readKey('card-pan')).minDecryptionVersion).toBe(1);

    const rewrapped = await api.gql(REWRAP, { role: 'key-admin', variables: { name: 'card-pan' } });
    expect(rewrapped.errors).toBeUndefined();
    expect(rewrapped.data).toEqual({
      rewrapKey: { key: 'card-pan', latestVersion: 2, total: 40, rewrapped: 40, skipped: 0, failed: 0 },
    });
    const after = await api.gql(KEY_VERSIONS, { role: 'key-admin', variables: { key: 'card-pan' } });
    expect(after.data).toEqual({
      keyVersions: [
        { version: 1, storedValues: 0 },
        { version: 2, storedValues: 45 },
      ],
    });

    const retired = await retireVersionsBelow(backends.transit, [store], 'card-pan', 2);
    expect(retired.minDecryptionVersion).toBe(2);
    expect(await processorSees()).toEqual(new Map([...pans, ...later]));
  });

  it('refuses to retire a version above the latest, and to lower the minimum', async () => {
    await expect(retireVersionsBelow(backends.transit, [store], 'card-pan', 2)).rejects.toThrow(
      /has no version 2 \(latest is 1\)/,
    );
    await backends.transit.rotateKey('card-pan');
    await retireVersionsBelow(backends.transit, [store], 'card-pan', 2);
    await expect(retireVersionsBelow(backends.transit, [store], 'card-pan', 1)).rejects.toBeInstanceOf(
      RetireRefusedError,
    );
  });

  it('finishes an interrupted rewrap on the next run, losing nothing', async () => {
    const pans = await storeCards(backends, 30);
    await backends.transit.rotateKey('card-pan');
    const controller = new AbortController();
    const progress: RewrapProgress[] = [];
    await expect(
      rewrapStoredValues(backends.transit, store, {
        batchSize: 10,
        signal: controller.signal,
        onProgress: (step) => {
          progress.push(step);
          controller.abort();
        },
      }),
    ).rejects.toThrow();
    expect(progress).toEqual([expect.objectContaining({ done: 10, total: 30 })]);
    expect(await store.countByVersion()).toEqual([
      { version: 1, count: 20 },
      { version: 2, count: 10 },
    ]);

    const rerun = await rewrapStoredValues(backends.transit, store, { batchSize: 10 });
    expect(rerun).toMatchObject({ total: 20, rewrapped: 20, skipped: 0, failed: 0 });
    expect(await store.countByVersion()).toEqual([{ version: 2, count: 30 }]);
    expect(await processorSees()).toEqual(pans);
  });

  it('finishes on the next run when transit fails half-way through', async () => {
    const pans = await storeCards(backends, 30);
    await backends.transit.rotateKey('card-pan');
    let calls = 0;
    const failingSecondTime = withRewrapHook(backends.transit, async () => {
      calls += 1;
      if (calls === 2) throw new TransitError('UNAVAILABLE', 'vault went away');
    });
    await expect(rewrapStoredValues(failingSecondTime, store, { batchSize: 10 })).rejects.toThrow('vault went away');
    expect(await store.countBelow(2)).toBe(20);

    const rerun = await rewrapStoredValues(backends.transit, store, { batchSize: 10 });
    expect(rerun).toMatchObject({ total: 20, rewrapped: 20, failed: 0 });
    expect(await processorSees()).toEqual(pans);
  });

  it('does not overwrite a value another writer changed between rewrap read and write', async () => {
    await storeCards(backends, 3);
    await backends.transit.rotateKey('card-pan');
    const [first] = await backends.database.db.select().from(creditCards).where(eq(creditCards.name, 'Card 0'));
    if (first === undefined) throw new Error('setup failed');
    const [replacement] = await backends.transit.encrypt('card-pan', [
      { plaintext: Buffer.from(panFor(777)), context: Buffer.from(first.id) },
    ]);
    if (replacement?.ok !== true) throw new Error('setup failed');

    const racing = withRewrapHook(backends.transit, async () => {
      await backends.database.db
        .update(creditCards)
        .set({ pan: replacement.value })
        .where(eq(creditCards.id, first.id));
    });
    const summary = await rewrapStoredValues(racing, store);
    expect(summary).toMatchObject({ total: 3, rewrapped: 2, skipped: 1, failed: 0 });
    const pans = await processorSees();
    expect(pans.get('Card 0')).toBe(panFor(777));
    expect(pans.get('Card 1')).toBe(panFor(1));
  });

  it('reports a value transit cannot rewrap as failed and leaves it as it was', async () => {
    await storeCards(backends, 2);
    await backends.transit.rotateKey('card-pan');
    const forged = 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await backends.database.db.update(creditCards).set({ pan: forged }).where(eq(creditCards.name, 'Card 1'));
    const summary = await rewrapStoredValues(backends.transit, store);
    expect(summary).toMatchObject({ total: 2, rewrapped: 1, skipped: 0, failed: 1 });
    const [row] = await backends.database.db.select().from(creditCards).where(eq(creditCards.name, 'Card 1'));
    expect(row?.pan).toBe(forged);
  });

  it('lets only key-admin rewrap and key-admin or support read key versions', async () => {
    const clerkVersions = await api.gql(KEY_VERSIONS, { role: 'clerk', variables: { key: 'card-pan' } });
    expect(clerkVersions.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const supportRewrap = await api.gql(REWRAP, { role: 'support', variables: { name: 'card-pan' } });
    expect(supportRewrap.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknownKey = await api.gql(KEY_VERSIONS, { role: 'key-admin', variables: { key: 'other' } });
    expect(unknownKey.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

/** The real transit, with `hook` run after each rewrap answer and before the caller sees it. */
function withRewrapHook(transit: Transit, hook: () => Promise<void>): Transit {
  return new Proxy(transit, {
    get(target, property) {
      if (property === 'rewrap') {
        return async (...args: Parameters<Transit['rewrap']>) => {
          const results = await target.rewrap(...args);
          await hook();
          return results;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
