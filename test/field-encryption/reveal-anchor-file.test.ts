import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gt } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { createTransit, RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { testConfig } from '../support/backends.ts';
import { group, request } from '../support/reveal-fixtures.ts';

/** The embedded engine keeps the checkpoint in a file beside its keyring: a new engine on the directory reads it back. */
describe('the embedded checkpoint survives the process [embedded]', () => {
  let directory: string;
  let database: Database;
  beforeEach(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-anchor-'));
    database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    await migrate(database);
  });
  afterEach(async () => {
    await database.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const engine = () => {
    const config = testConfig({ DATA_DIR: directory });
    if (config.transit.kind !== 'embedded') throw new Error('embedded transit expected');
    return createTransit(config.transit);
  };

  it('a cut made while the engine was down is refused by the next one, and the file is private', async () => {
    const before = engine();
    await before.createKey(REVEAL_SEAL_KEY);
    const ledger = new RevealLedger(database.db, before, REVEAL_SEAL_KEY);
    for (let n = 0; n < 3; n++) await ledger.append(request(`r${n}`), [group]);
    await ledger.close();
    await before.close();

    const file = path.join(directory, 'transit', 'record-anchor.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { seq: number; hash: string };
    const rows = await database.db.select().from(revealEvents);
    expect(stored).toMatchObject({ epoch: 0, seq: rows[2]?.seq, hash: rows[2]?.hash });

    await database.db.delete(revealEvents).where(gt(revealEvents.seq, rows[0]?.seq as number));
    const after = engine();
    const restarted = new RevealLedger(database.db, after, REVEAL_SEAL_KEY);
    await expect(restarted.append(request('after'), [group])).rejects.toThrow(/cut tail/);
    expect((await restarted.verify()).broken?.cut).toBe('cut tail');
    await after.close();
  });
});
