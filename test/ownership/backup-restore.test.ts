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
  writeContinuously,
} from './processes.ts';

/** `npm run db -- backup` while the API serves and writes, then `db restore` into a fresh directory. */
describe('backup through the running API, restore with it stopped [embedded]', () => {
  const source = freshDataDir();
  const target = freshDataDir();
  const archive = `${source}.tgz`;
  let api: ApiProcess | undefined;
  afterAll(async () => {
    await api?.stop('SIGKILL');
    for (const entry of [source, target, archive]) fs.rmSync(entry, { recursive: true, force: true });
  });

  it('restores every card acknowledged before the backup, decryptable', { timeout: 300_000 }, async () => {
    api = await startApi(backendEnv(undefined, source));
    const before = new Map<string, string>();
    for (let n = 0; n < 5; n += 1) {
      const created = await gql<{ createCreditCard: { id: string } }>(api.url, 'clerk', CREATE, {
        input: { name: `before backup ${n}`, pan: panFor(n, '36') },
      });
      before.set(created.data?.createCreditCard.id ?? '', panFor(n, '36'));
    }
    const writer = writeContinuously(api.url, (n) => panFor(n, '38'), 'during backup');
    const backup = await runTs('src/cli/db.ts', ['backup', archive], backendEnv(undefined, source));
    await writer.stop();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toContain(`PID ${api.pid}`);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);

    const refused = await runTs('src/cli/db.ts', ['restore', archive], backendEnv(undefined, source));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('restore needs the API stopped');
    expect(await api.stop()).toBe(0);

    fs.mkdirSync(path.join(target, 'transit'), { mode: 0o700 });
    fs.copyFileSync(path.join(source, 'transit', 'keyring.json'), path.join(target, 'transit', 'keyring.json'));
    fs.copyFileSync(path.join(source, 'master.key'), path.join(target, 'master.key'));
    const restored = await runTs('src/cli/db.ts', ['restore', archive], backendEnv(undefined, target));
    expect(restored.code, restored.stderr).toBe(0);
    const again = await runTs('src/cli/db.ts', ['restore', archive], backendEnv(undefined, target));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds a database');

    api = await startApi(backendEnv(undefined, target));
    const { pans, errors } = await processorReadsAll(api.url);
    expect(errors).toEqual([]);
    expect(new Map([...pans].filter(([id]) => before.has(id)))).toEqual(before);
    for (const [id, pan] of pans) {
      if (!before.has(id)) expect(writer.acknowledged.get(id)).toBe(pan);
    }
  });
});
