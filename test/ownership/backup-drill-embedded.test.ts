import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { panFor } from '../support/luhn-pans.ts';
import {
  type ApiProcess,
  backendEnv,
  CREATE,
  freshDataDir,
  gql,
  processorReadsAll,
  runTs,
  startApi,
  startExpectingRefusal,
} from './processes.ts';

const LOOKUP = 'query Lookup($pan: PAN!) { creditCardsByPan(pan: $pan) { id pan } }';

/**
 * docs/backup-and-restore.md's drill on the embedded default: `db backup` through the running API,
 * then the keyring (with the master key, kept apart); restored into a fresh data directory, every PAN
 * decrypts, every lookup finds its card, `audit verify` passes. A keyring older than the database
 * (saved before a rotation the database's values use) is refused at start-up, by name.
 */
describe('backup drill on the embedded default: db backup, then the keyring [embedded]', () => {
  const source = freshDataDir();
  const work = freshDataDir();
  const archive = path.join(work, 'transitql.tgz');
  const cards = new Map<string, string>();
  let api: ApiProcess | undefined;
  afterAll(async () => {
    await api?.stop('SIGKILL');
    for (const entry of [source, work]) fs.rmSync(entry, { recursive: true, force: true });
  });

  const restoreInto = async (keyring: string) => {
    const target = freshDataDir();
    fs.mkdirSync(path.join(target, 'transit'), { mode: 0o700 });
    fs.copyFileSync(keyring, path.join(target, 'transit', 'keyring.json'));
    fs.copyFileSync(path.join(work, 'master.key'), path.join(target, 'master.key'));
    const restored = await runTs('src/cli/db.ts', ['restore', archive], backendEnv(undefined, target));
    expect(restored.code, restored.stderr).toBe(0);
    return target;
  };

  it('restores a matched pair: every PAN decrypts, every lookup finds its card, audit verify passes', {
    timeout: 300_000,
  }, async () => {
    api = await startApi(backendEnv(undefined, source));
    const create = async (n: number) => {
      const pan = panFor(n, '37');
      const created = await gql<{ createCreditCard: { id: string } }>(api?.url ?? '', 'clerk', CREATE, {
        input: { name: `drill ${n}`, pan },
      });
      cards.set(created.data?.createCreditCard.id ?? '', pan);
    };
    for (let n = 0; n < 4; n += 1) await create(n);
    fs.copyFileSync(path.join(source, 'transit', 'keyring.json'), path.join(work, 'keyring-before-rotation.json'));
    fs.copyFileSync(path.join(source, 'master.key'), path.join(work, 'master.key'));
    const rotated = await gql(api.url, 'key-admin', 'mutation { rotateKey(name: "card-pan") { latestVersion } }');
    expect(rotated).toEqual({ data: { rotateKey: { latestVersion: 2 } } });
    for (let n = 4; n < 8; n += 1) await create(n);
    expect((await processorReadsAll(api.url)).errors).toEqual([]);

    // The database first, then the keyring: the keyring then covers every value in the backup.
    const backup = await runTs('src/cli/db.ts', ['backup', archive], backendEnv(undefined, source));
    expect(backup.code, backup.stderr).toBe(0);
    fs.copyFileSync(path.join(source, 'transit', 'keyring.json'), path.join(work, 'keyring.json'));
    expect(await api.stop()).toBe(0);

    const target = await restoreInto(path.join(work, 'keyring.json'));
    api = await startApi(backendEnv(undefined, target));
    const { pans, errors } = await processorReadsAll(api.url);
    expect(errors).toEqual([]);
    expect(pans).toEqual(cards);
    for (const [id, pan] of cards) {
      const found = await gql<{ creditCardsByPan: Array<{ id: string; pan: string }> }>(api.url, 'processor', LOOKUP, {
        pan,
      });
      expect(found.data?.creditCardsByPan).toEqual([{ id, pan }]);
    }
    const verified = await runTs('src/cli/audit.ts', ['verify'], backendEnv(undefined, target));
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/reveal record intact: [1-9]\d* records, chain and seals verified/);
    expect(await api.stop()).toBe(0);
    api = undefined;
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('names a mismatched restore: a keyring older than the database is refused at start-up', {
    timeout: 180_000,
  }, async () => {
    const target = await restoreInto(path.join(work, 'keyring-before-rotation.json'));
    try {
      const refused = await startExpectingRefusal(backendEnv(undefined, target));
      expect(refused.listened).toBe(false);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain(
        'MISMATCHED RESTORE: the database holds "card-pan" v2 values but the key\'s latest version is v1',
      );
      expect(refused.output).toMatch(
        /lacks key "card-pan" versions v2 \(stored values use them\), so a keyring older than the database was restored\. Nothing was changed\. Restore the keys from a backup taken after the database backup \(transit\/keyring\.json, with the master key it was written with\)/,
      );
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });
});
