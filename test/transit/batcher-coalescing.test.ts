import { afterEach, describe, expect, it } from 'vitest';
import { TransitBatcher } from '../../src/field-encryption/transit/batcher.ts';
import type { DecryptItem, EncryptItem, Transit, TransitResult } from '../../src/field-encryption/transit/transit.ts';
import { type Backends, backendSets } from '../support/backends.ts';

/** The real backend, with each call's size recorded and, while `held`, each call kept waiting until released. */
function recordingTransit(inner: Transit) {
  const calls: Array<{ operation: string; size: number }> = [];
  let held: Promise<void> | undefined;
  let release = () => {};
  let onCall = () => {};
  const record = async <T>(operation: string, size: number, call: () => Promise<T>): Promise<T> => {
    calls.push({ operation, size });
    onCall();
    if (held !== undefined) await held;
    return call();
  };
  const transit: Transit = Object.assign(Object.create(inner) as Transit, {
    encrypt: (key: string, items: readonly EncryptItem[]): Promise<TransitResult<string>[]> =>
      record('encrypt', items.length, () => inner.encrypt(key, items)),
    decrypt: (key: string, items: readonly DecryptItem[]): Promise<TransitResult<Buffer>[]> =>
      record('decrypt', items.length, () => inner.decrypt(key, items)),
  });
  return {
    transit,
    calls,
    /** Holds the next calls; resolves once the first of them has started. */
    hold(): Promise<void> {
      held = new Promise((resolve) => {
        release = () => {
          held = undefined;
          resolve();
        };
      });
      return new Promise((resolve) => {
        onCall = resolve;
      });
    },
    release: () => release(),
  };
}

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

describe.each(backendSets())('transit batcher coalescing across requests [$name]', (set) => {
  let backends: Backends | undefined;
  afterEach(async () => {
    await backends?.close();
    backends = undefined;
  });

  async function open(batching: { enabled: boolean; windowMs: number; batchSize?: number; sequential?: boolean }) {
    backends = await set.open();
    await backends.transit.createKey('coalesce');
    const recording = recordingTransit(backends.transit);
    return { recording, batcher: new TransitBatcher(recording.transit, { batchSize: 250, ...batching }) };
  }

  /** Contention, as under load: a value asked for while a call for its key is in flight (two calls of one). */
  async function contend(recording: ReturnType<typeof recordingTransit>, batcher: TransitBatcher): Promise<void> {
    const started = recording.hold();
    const first = batcher.encrypt('coalesce', 'first');
    await started;
    const during = batcher.encrypt('coalesce', 'asked while the first call was in flight');
    await nextMacrotask();
    recording.release();
    await Promise.all([first, during]);
  }

  it('sends values asked for while a call is in flight together, once that call returns', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 0 });
    const started = recording.hold();
    const first = batcher.encrypt('coalesce', 'first');
    await started;
    const later = ['a', 'b', 'c'].map((value) => batcher.encrypt('coalesce', value));
    await nextMacrotask();
    expect(recording.calls).toEqual([{ operation: 'encrypt', size: 1 }]);

    recording.release();
    const ciphertexts = await Promise.all([first, ...later]);
    expect(recording.calls).toEqual([
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 3 },
    ]);
    const plaintexts = await Promise.all(ciphertexts.map((ciphertext) => batcher.decryptText('coalesce', ciphertext)));
    expect(plaintexts).toEqual(['first', 'a', 'b', 'c']);
  });

  it('sends a value at once when no call for its key was recently made, even with a long window', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 3_600_000 });
    await batcher.encrypt('coalesce', 'alone');
    expect(recording.calls).toEqual([{ operation: 'encrypt', size: 1 }]);
  });

  it('after contention, gathers values asked for in separate macrotasks within the window into one call', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 50 });
    await contend(recording, batcher);
    const one = batcher.encrypt('coalesce', 'one');
    await nextMacrotask();
    const two = batcher.encrypt('coalesce', 'two');
    await Promise.all([one, two]);
    expect(recording.calls).toEqual([
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 2 },
    ]);
  });

  it('after contention, sends a lone value after one short step, not the whole window', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 3_600_000 });
    await contend(recording, batcher);
    const asked = performance.now();
    await batcher.encrypt('coalesce', 'alone after contention');
    expect(performance.now() - asked).toBeLessThan(1_000);
    expect(recording.calls.map((call) => call.size)).toEqual([1, 1, 1]);
  });

  it('after contention, keeps waiting while values keep arriving, and sends them as one call', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 100 });
    await contend(recording, batcher);
    // Ten values, one a millisecond: each 5 ms step brings more, so they wait for one another (a busy
    // machine may stall the loop past a step: at most three calls, never one per value).
    const trickle: Promise<string>[] = [];
    for (let index = 0; index < 10; index++) {
      trickle.push(batcher.encrypt('coalesce', `value ${index}`));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(trickle);
    const [, , ...gathered] = recording.calls.map((call) => call.size);
    expect(gathered.reduce((sum, size) => sum + size, 0)).toBe(10);
    expect(gathered.length).toBeLessThanOrEqual(3);
  });

  it('never makes a caller asking one value after another wait out the window', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 3_600_000 });
    for (const value of ['one', 'two', 'three']) await batcher.encrypt('coalesce', value);
    expect(recording.calls).toEqual([
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 1 },
    ]);
  });

  it('after contention, sends a batch that already fills a chunk at once, without waiting out the window', async () => {
    const { recording, batcher } = await open({ enabled: true, windowMs: 3_600_000, batchSize: 3 });
    await contend(recording, batcher);
    await Promise.all(['a', 'b', 'c'].map((value) => batcher.encrypt('coalesce', value)));
    expect(recording.calls).toEqual([
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 1 },
      { operation: 'encrypt', size: 3 },
    ]);
  });

  it('makes one call per value with batching switched off', async () => {
    const { recording, batcher } = await open({ enabled: false, windowMs: 0 });
    const ciphertexts = await Promise.all(['a', 'b', 'c'].map((value) => batcher.encrypt('coalesce', value)));
    await Promise.all(ciphertexts.map((ciphertext) => batcher.decrypt('coalesce', ciphertext)));
    expect(recording.calls).toEqual([
      ...Array(3).fill({ operation: 'encrypt', size: 1 }),
      ...Array(3).fill({ operation: 'decrypt', size: 1 }),
    ]);
  });

  it('without batching, sends all values at once, or one after another when sequential', async () => {
    for (const sequential of [false, true]) {
      const { recording, batcher } = await open({ enabled: false, windowMs: 0, sequential });
      const started = recording.hold();
      const ciphertexts = ['a', 'b', 'c'].map((value) => batcher.encrypt('coalesce', value));
      await started;
      await nextMacrotask();
      // Held: all three calls are in flight at once, or only the first while it is unanswered.
      expect(recording.calls, `sequential: ${sequential}`).toHaveLength(sequential ? 1 : 3);
      recording.release();
      const plaintexts = await Promise.all(
        (await Promise.all(ciphertexts)).map((ciphertext) => batcher.decryptText('coalesce', ciphertext)),
      );
      expect(plaintexts).toEqual(['a', 'b', 'c']);
      expect(recording.calls).toEqual([
        ...Array(3).fill({ operation: 'encrypt', size: 1 }),
        ...Array(3).fill({ operation: 'decrypt', size: 1 }),
      ]);
      await backends?.close();
      backends = undefined;
    }
  });
});
