import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOwner } from '../../src/owner/data-dir-owner.ts';
import { panFor } from '../support/luhn-pans.ts';
import { type ApiProcess, backendEnv, CREATE, freshDataDir, gql, runTs, startApi } from './processes.ts';

const CREATES = 20;

/** Counts fsync(2)/fdatasync(2) calls per file in an strace log written with -f -y; a string matches as it is written. */
function syncsIn(trace: string, matching: RegExp | string): number {
  const matches = (line: string) => (typeof matching === 'string' ? line.includes(matching) : matching.test(line));
  return trace
    .split('\n')
    .filter((line) => /\b(fsync|fdatasync)\(\d+</.test(line) && matches(line) && / = 0$/.test(line)).length;
}

/**
 * Under strace: every acknowledged create reaches stable storage (an fsync of the WAL), and a key
 * rotation writes the keyring (a reveal, the reveal record's checkpoint) through a synced temporary
 * file and a synced directory.
 */
describe('commits and keyring writes reach stable storage [embedded]', () => {
  const dataDir = freshDataDir();
  const env = backendEnv(undefined, dataDir);
  const trace = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.strace`);
  let api: ApiProcess | undefined;
  afterAll(async () => {
    // After a failure the traced API (not strace, the child) must be stopped too.
    const owner = await readOwner(dataDir);
    if (owner !== undefined) process.kill(owner.pid, 'SIGKILL');
    await api?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(trace, { force: true });
  });

  it('fsyncs the WAL for each acknowledged create and the keyring for each rotation', {
    timeout: 240_000,
  }, async () => {
    api = await startApi(env, ['strace', '-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace]);
    const atStart = fs.readFileSync(trace, 'utf8');
    const walSyncsAtStart = syncsIn(atStart, /pg_wal\//);
    // The fresh master key reaches the disk before anything is encrypted under it: the file, then its directory.
    expect(syncsIn(atStart, /\/master\.key>\)/)).toBe(1);
    expect(syncsIn(atStart, `${dataDir}>)`)).toBeGreaterThanOrEqual(1);
    // The new database itself (initdb runs with fsync off) is on stable storage before the API serves:
    // every file of template1, which nothing changes after initdb, and the control file.
    const template1 = path.join(dataDir, 'pglite', 'base', '1');
    const catalogFiles = fs.readdirSync(template1).map((name) => path.join(template1, name));
    const unsynced = catalogFiles.filter((file) => syncsIn(atStart, `<${file}>)`) === 0);
    console.log(
      `catalog files of a new database fsynced at start: ${catalogFiles.length - unsynced.length} of ${catalogFiles.length}`,
    );
    expect(catalogFiles.length).toBeGreaterThan(100);
    expect(unsynced).toEqual([]);
    expect(syncsIn(atStart, /\/global\/pg_control>\)/)).toBeGreaterThanOrEqual(1);
    for (let n = 0; n < CREATES; n += 1) {
      const created = await gql(api.url, 'clerk', CREATE, { input: { name: `durable ${n}`, pan: panFor(n, '35') } });
      expect(created.errors).toBeUndefined();
    }
    const afterCreates = fs.readFileSync(trace, 'utf8');
    const walSyncs = syncsIn(afterCreates, /pg_wal\//) - walSyncsAtStart;
    const keyringSyncsBefore = syncsIn(afterCreates, /keyring\.json\.\d+\.tmp>/);
    const transitDirSyncsBefore = syncsIn(afterCreates, /\/transit>\)/);

    expect((await runTs('src/cli/transit.ts', ['rotate', 'card-pan'], env)).code).toBe(0);
    const afterRotate = fs.readFileSync(trace, 'utf8');
    console.log(`WAL fsyncs for ${CREATES} acknowledged creates: ${walSyncs}`);
    expect(walSyncs).toBeGreaterThanOrEqual(CREATES);
    expect(syncsIn(afterRotate, /keyring\.json\.\d+\.tmp>/) - keyringSyncsBefore).toBe(1);
    // The rotation is recorded (an administrative entry), which moves the record's checkpoint beside the keyring.
    expect(syncsIn(afterRotate, /record-anchor\.json\.\d+\.tmp>/)).toBe(1);
    expect(syncsIn(afterRotate, /\/transit>\)/) - transitDirSyncsBefore).toBe(2);

    // A recorded reveal moves the reveal record's checkpoint beside the keyring: a synced file, then its directory.
    const revealed = await gql<{ creditCards: { nodes: unknown[] } }>(
      api.url,
      'processor',
      'query { creditCards(first: 1) { nodes { pan } } }',
      {},
    );
    expect(revealed.errors).toBeUndefined();
    await expect
      .poll(() => syncsIn(fs.readFileSync(trace, 'utf8'), /record-anchor\.json\.\d+\.tmp>/), { timeout: 10_000 })
      .toBe(2);
    expect(syncsIn(fs.readFileSync(trace, 'utf8'), /\/transit>\)/) - transitDirSyncsBefore).toBe(3);

    // The child is strace; the API is the node process it traces, the data directory's owner.
    const owner = await readOwner(dataDir);
    const child = api.child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(owner?.pid ?? 0, 'SIGTERM');
    expect(await exited).toBe(0);
    api = undefined;
  });
});
