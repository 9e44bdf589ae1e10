import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gt } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { revealEvents } from '../../src/field-encryption/index.ts';
import { panFor } from '../support/luhn-pans.ts';
import { type ApiProcess, backendEnv, CREATE, freshDataDir, gql, runTs, startApi } from './processes.ts';

const LIST = 'query { creditCards { nodes { id pan } } }';
type Listed = { creditCards: { nodes: Array<{ pan: string | null }> } };

/**
 * The embedded default as an operator runs it: rows cut from the PGlite files while the API is down are
 * refused after it starts again, `npm run audit -- verify` names the cut through the running API, and
 * `acknowledge-loss` run there records the operator's login.
 */
describe('a cut reveal record across an API restart [embedded]', () => {
  const dataDir = freshDataDir();
  const env = backendEnv(undefined, dataDir);
  let api: ApiProcess | undefined;
  afterAll(async () => {
    await api?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refused after the restart, named by verify, resumed once acknowledged', { timeout: 240_000 }, async () => {
    api = await startApi(env);
    await gql(api.url, 'clerk', CREATE, { input: { name: 'cut', pan: panFor(1, '36') } });
    for (let n = 0; n < 3; n++) expect((await gql<Listed>(api.url, 'processor', LIST)).errors).toBeUndefined();
    expect(await api.stop()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'transit', 'record-anchor.json'))).toBe(true);

    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    const [first] = await database.db.select().from(revealEvents).orderBy(revealEvents.seq).limit(1);
    await database.db.delete(revealEvents).where(gt(revealEvents.seq, first?.seq as number));
    await database.close();

    api = await startApi({ ...env, LOG_LEVEL: 'error' });
    const refused = await gql<Listed>(api.url, 'processor', LIST);
    expect(refused.data ?? null).toBeNull();
    expect(JSON.stringify(refused)).not.toContain(panFor(1, '36'));
    // The refusal's log line comes through the API's stdout pipe, which may trail the response.
    await expect.poll(() => api?.output(), { timeout: 10_000 }).toContain('cut tail');
    const verified = await runTs('src/cli/audit.ts', ['verify'], env);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(/reveal record broken at seq \d+: cut tail: the record ends at seq/);

    const acknowledged = await runTs('src/cli/audit.ts', ['acknowledge-loss', '--reason', 'drill'], env);
    expect(acknowledged.code, acknowledged.stderr).toBe(0);
    expect(acknowledged.stdout).toContain(`by ${os.userInfo().username}: cut tail`);
    expect((await gql<Listed>(api.url, 'processor', LIST)).data?.creditCards.nodes[0]?.pan).toBe(panFor(1, '36'));
    const after = await runTs('src/cli/audit.ts', ['verify'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('reveal record intact: 3 records');
    expect(after.stdout).toContain('reason: drill');
    expect(await api.stop()).toBe(0);
    api = undefined;
  });
});
