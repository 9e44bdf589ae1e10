import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { RevealLedger } from '../../src/field-encryption/index.ts';
import { FileAnchor } from '../../src/field-encryption/transit/embedded/file-anchor.ts';
import type { RecordAnchor } from '../../src/field-encryption/transit/record-anchor.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { group, request } from '../support/reveal-fixtures.ts';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * The window a cut can still hide in: from a write's commit until the key service holds a checkpoint at
 * or past it. A cut inside that window, followed by a restart before the next checkpoint, goes unseen.
 */
describe.each(backendSets())('the window between a reveal write and its checkpoint [$name]', (set) => {
  let backends: Backends;
  let anchor: RecordAnchor;
  let directory: string | undefined;
  beforeEach(async () => {
    backends = await set.open();
    await backends.transit.createKey(REVEAL_SEAL_KEY);
    // On the embedded engine, the file a data directory holds (written and fsynced), not the in-memory one.
    directory = set.name === 'embedded' ? fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-window-')) : undefined;
    anchor = directory === undefined ? backends.transit.anchor() : new FileAnchor(directory);
  });
  afterEach(async () => {
    await backends.close();
    if (directory !== undefined) fs.rmSync(directory, { recursive: true, force: true });
  });

  it('every write is checkpointed, one after another and under concurrent load; the window is measured', async () => {
    const windows: { idle: number[]; loaded: number[] } = { idle: [], loaded: [] };
    let phase: keyof typeof windows = 'idle';
    const ledger = new RevealLedger(backends.database.db, backends.transit, REVEAL_SEAL_KEY, {
      anchor,
      onCheckpointed: (seconds) => windows[phase].push(seconds * 1000),
    });
    const WRITES = 100;
    for (let n = 0; n < WRITES; n++) {
      await ledger.append(request(`idle-${n}`), [group]);
      await ledger.flushCheckpoints();
    }
    phase = 'loaded';
    // Eight clients, each revealing again as soon as its last reveal was recorded: writes commit while a
    // checkpoint is in flight, and the next checkpoint carries the newest head.
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let n = 0; n < WRITES / 2; n++) await ledger.append(request(`loaded-${client}-${n}`), [group]);
      }),
    );
    await ledger.flushCheckpoints();
    const checkpoint = await anchor.read();
    const { records, broken } = await ledger.verify();
    expect(broken).toBeUndefined();
    expect(checkpoint?.seq).toBe(records);
    expect(windows.idle).toHaveLength(WRITES);
    for (const [name, values] of Object.entries(windows)) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(
        `[${set.name}] commit → checkpoint durable, ${name}: n=${sorted.length} p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted[sorted.length - 1] as number).toFixed(2)} ms`,
      );
      expect(percentile(sorted, 99)).toBeLessThan(2_000);
    }
    await ledger.close();
  });
});
