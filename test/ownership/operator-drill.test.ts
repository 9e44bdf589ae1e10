import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, backendSets } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import {
  type ApiProcess,
  backendEnv,
  freshDataDir,
  gql,
  processorReadsAll,
  runTs,
  startApi,
  writeContinuously,
} from './processes.ts';

/**
 * The operator's drill from issue 12, with real processes: the API serves while clients write and
 * read; from other processes the key is rotated, rewrapped (also two commands at once) and its old
 * version retired; the API is restarted, and every acknowledged card must be there and decrypt.
 */
describe.each(backendSets())('operator commands while the API serves [$name]', (set) => {
  let backends: Backends;
  let dataDir: string;
  let env: Record<string, string>;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    backends = await set.open();
    dataDir = freshDataDir();
    env = backendEnv(backends, dataDir);
    if (set.name !== 'embedded') expect((await runTs('src/cli/transit.ts', ['setup'], env)).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await api?.stop('SIGKILL');
    await backends?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged card and leaves every card decryptable', { timeout: 240_000 }, async () => {
    api = await startApi(env);
    const writers = [
      writeContinuously(api.url, (n) => panFor(n, '41'), 'writer one'),
      writeContinuously(api.url, (n) => panFor(n, '42'), 'writer two'),
    ];
    let running = true;
    const url = api.url;
    const reads = (async () => {
      while (running) {
        const { errors } = await processorReadsAll(url);
        if (errors.length > 0) return errors;
      }
      return [];
    })();
    const transit = (...args: string[]) => runTs('src/cli/transit.ts', args, env);

    const rotated = await transit('rotate', 'card-pan');
    expect(rotated.stderr + rotated.stdout).toMatch(/latest version\s+2/);
    expect(rotated.code).toBe(0);
    const [rewrapped, rotatedAgain] = await Promise.all([transit('rewrap', 'card-pan'), transit('rotate', 'card-pan')]);
    expect(rewrapped.code, rewrapped.stderr).toBe(0);
    expect(rotatedAgain.stdout).toMatch(/latest version\s+3/);
    const [secondRewrap, info] = await Promise.all([transit('rewrap', 'card-pan'), transit('info', 'card-pan')]);
    expect(secondRewrap.code, secondRewrap.stderr).toBe(0);
    expect(info.stdout).toMatch(/│ version\s*│ created\s*│/);
    const retired = await transit('retire', 'card-pan', '3');
    expect(retired.code, retired.stderr + retired.stdout).toBe(0);
    // The blind index: rotated, reindexed (on embedded the owning API runs it), its old version retired.
    const indexRotated = await transit('rotate', 'card-pan-index');
    expect(indexRotated.code, indexRotated.stderr).toBe(0);
    const reindexed = await transit('reindex', 'card-pan-index', '--batch-size', '50');
    expect(reindexed.code, reindexed.stderr).toBe(0);
    expect(reindexed.stderr).toMatch(
      /reindex credit_cards\.pan_index: \d+\/\d+ \([\d.]+%\), \d+ reindexed, \d+ rows\/s, ETA /,
    );
    expect(reindexed.stdout).toMatch(/reindex credit_cards\.pan_index to v2 of card-pan-index: \d+ reindexed/);
    let indexRetired = await transit('retire', 'card-pan-index', '2');
    if (indexRetired.code === 1) {
      // A create that read the key's versions before the rotation may have stored its v1 index after reindex.
      expect(indexRetired.stderr).toMatch(/run `npm run transit -- reindex card-pan-index`/);
      expect((await transit('reindex', 'card-pan-index')).code).toBe(0);
      indexRetired = await transit('retire', 'card-pan-index', '2');
    }
    expect(indexRetired.code, indexRetired.stderr + indexRetired.stdout).toBe(0);
    const backup =
      set.name === 'embedded'
        ? await runTs('src/cli/db.ts', ['backup', `${dataDir}/../backup-${process.pid}.tgz`], env)
        : undefined;
    if (backup !== undefined) expect(backup.code, backup.stderr).toBe(0);

    running = false;
    for (const writer of writers) await writer.stop();
    expect(await reads).toEqual([]);
    for (const writer of writers) expect(writer.failures).toEqual([]);
    const acknowledged = new Map([...writers[0]!.acknowledged, ...writers[1]!.acknowledged]);
    expect(acknowledged.size).toBeGreaterThan(20);

    expect(await api.stop('SIGTERM')).toBe(0);
    api = await startApi(env);
    const { pans, errors } = await processorReadsAll(api.url);
    expect(errors).toEqual([]);
    const lost = [...acknowledged.keys()].filter((id) => !pans.has(id));
    const wrong = [...acknowledged].filter(([id, pan]) => pans.has(id) && pans.get(id) !== pan);
    expect({ lost: lost.length, undecryptable: wrong.length }).toEqual({ lost: 0, undecryptable: 0 });
    const sample = [...acknowledged].filter((_, index) => index % 10 === 0);
    for (const [id, pan] of sample) {
      const found = await gql<{ creditCardsByPan: Array<{ id: string }> }>(
        api.url,
        'clerk',
        'query ($pan: PAN!) { creditCardsByPan(pan: $pan) { id } }',
        { pan },
      );
      expect(found.data?.creditCardsByPan.map((card) => card.id)).toContain(id);
    }
    console.log(`[${set.name}] ${acknowledged.size} acknowledged cards, all present and decrypted after restart`);
  });
});
