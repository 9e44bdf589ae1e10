import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOwner } from '../../src/owner/data-dir-owner.ts';
import { panFor } from '../support/luhn-pans.ts';
import { finished } from '../support/spawn.ts';
import {
  type ApiProcess,
  backendEnv,
  CREATE,
  fileTree,
  freshDataDir,
  gql,
  processorReadsAll,
  runTs,
  startApi,
  startExpectingRefusal,
  writeContinuously,
} from './processes.ts';

/** The embedded default's data directory has one owner: npm start, or a CLI command when no API runs. */
describe('one owner per data directory [embedded]', () => {
  const started: ApiProcess[] = [];
  const dataDirs: string[] = [];
  const newDataDir = () => {
    const dir = freshDataDir();
    dataDirs.push(dir);
    return dir;
  };
  const start = async (env: Record<string, string>) => {
    const api = await startApi(env);
    started.push(api);
    return api;
  };
  afterEach(async () => {
    for (const api of started.splice(0)) await api.stop('SIGKILL');
    for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second npm start with one line naming the directory and the owner; the first keeps working', {
    timeout: 180_000,
  }, async () => {
    const env = backendEnv(undefined, newDataDir());
    const first = await start(env);
    const before = fileTree(env.DATA_DIR as string);
    const second = await runTs('src/server.ts', [], { ...env, PORT: '0' });
    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(env.DATA_DIR);
    expect(lines[0]).toContain(`PID ${first.pid}`);
    expect(lines[0]).toContain(`port ${first.port}`);
    expect(second.stdout).not.toContain('listening');
    // The refused start wrote nothing: same names, sizes and mtimes.
    expect(fileTree(env.DATA_DIR as string)).toEqual(before);

    // Nor does the lock depend on the network namespace (a second container sharing the volume)...
    const isolated = await startExpectingRefusal(env, ['unshare', '-n']);
    expect({ listened: isolated.listened, code: isolated.code }, isolated.output).toEqual({ listened: false, code: 1 });
    expect(isolated.output).toContain(`PID ${first.pid}`);
    // ...or on the path the directory is reached by: a bind mount, a symlink.
    const mounted = `${env.DATA_DIR}-mounted`;
    const linked = `${env.DATA_DIR}-linked`;
    fs.mkdirSync(mounted);
    fs.symlinkSync(env.DATA_DIR as string, linked);
    dataDirs.push(linked);
    const bound = await finished(spawn('mount', ['--bind', env.DATA_DIR as string, mounted]));
    expect(bound.code, bound.stderr).toBe(0);
    try {
      for (const other of [mounted, linked]) {
        const refused = await startExpectingRefusal({ ...env, DATA_DIR: other });
        expect({ other, listened: refused.listened, code: refused.code }, refused.output).toEqual({
          other,
          listened: false,
          code: 1,
        });
        expect(refused.output).toContain(`PID ${first.pid}`);
      }
    } finally {
      await finished(spawn('umount', [mounted]));
      fs.rmdirSync(mounted);
    }

    const created = await gql<{ createCreditCard: { id: string } }>(first.url, 'clerk', CREATE, {
      input: { name: 'after the refused start', pan: panFor(7) },
    });
    expect(created.errors).toBeUndefined();
    const { pans } = await processorReadsAll(first.url);
    expect(pans.get(created.data?.createCreditCard.id ?? '')).toBe(panFor(7));
  });

  it('refuses a second npm start whatever was removed from the data directory: each entry the owner made, then all', {
    timeout: 600_000,
  }, async () => {
    const env = backendEnv(undefined, newDataDir());
    const dataDir = env.DATA_DIR as string;
    const first = await start(env);
    const created = await gql<{ createCreditCard: { id: string } }>(first.url, 'clerk', CREATE, {
      input: { name: 'removed files', pan: panFor(12) },
    });
    expect(created.errors).toBeUndefined();
    expect((await runTs('src/cli/transit.ts', ['rotate', 'card-pan'], env)).code).toBe(0);
    // What the owner makes, read from the directory rather than listed by hand.
    const entries = fs.readdirSync(dataDir).sort();
    expect(entries).toEqual(expect.arrayContaining(['master.key', 'operator.sock', 'owner.json', 'pglite']));
    const expectRefused = async (removed: string[]) => {
      const second = await startExpectingRefusal(env);
      expect({ removed, listened: second.listened, code: second.code }, second.output).toEqual({
        removed,
        listened: false,
        code: 1,
      });
      // The owner is named while it still describes itself.
      const owner = removed.includes('owner.json')
        ? 'another process'
        : `the API (PID ${first.pid}, port ${first.port})`;
      expect(second.output).toContain(`data directory ${dataDir} is in use by ${owner}; stop it first`);
    };

    // One at a time, moved out of the directory and back, so that one owner serves every case: to the
    // directory, a name moved away is a name deleted.
    const aside = `${dataDir}-aside`;
    fs.mkdirSync(aside);
    dataDirs.push(aside);
    for (const entry of entries) {
      fs.renameSync(path.join(dataDir, entry), path.join(aside, entry));
      await expectRefused([entry]);
      fs.renameSync(path.join(aside, entry), path.join(dataDir, entry));
    }
    expect((await processorReadsAll(first.url)).pans.get(created.data?.createCreditCard.id ?? '')).toBe(panFor(12));

    for (const entry of entries) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    expect(fs.readdirSync(dataDir)).toEqual([]);
    await expectRefused(entries);
  });

  it('serves from a DATA_DIR too long for a socket path beside it, and runs setup, bind and audit verify there', {
    timeout: 240_000,
  }, async () => {
    const base = newDataDir();
    const dataDir = path.join(base, 'a-data-directory-whose-path-is-longer-than-a-unix-socket-path-may-be'.repeat(2));
    expect(Buffer.byteLength(path.join(dataDir, 'operator.sock'))).toBeGreaterThan(108);
    const env = backendEnv(undefined, dataDir);
    const api = await start(env);
    const created = await gql(api.url, 'clerk', CREATE, { input: { name: 'long path', pan: panFor(11) } });
    expect(created.errors).toBeUndefined();
    expect((await processorReadsAll(api.url)).errors).toEqual([]);
    const viaApi = `is held by the API (PID ${api.pid}, port ${api.port}); running the command there`;

    const setup = await runTs('src/cli/transit.ts', ['setup'], env);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stderr).toContain(viaApi);
    expect(setup.stdout).toContain('key card-pan: already present');

    const verified = await runTs('src/cli/audit.ts', ['verify'], env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain(viaApi);
    // The processor's read, and the setup the API ran for this CLI (an administrative entry).
    expect(verified.stdout).toContain('reveal record intact: 2 records, chain and seals verified');

    // No unbound key to move values off: the API's own answer comes back, with its exit code.
    const bound = await runTs('src/cli/transit.ts', ['bind', 'card-pan', '--from', 'card-pan-legacy'], env);
    expect(bound.stderr).toContain(viaApi);
    expect(bound.stderr).toContain('transit key "card-pan-legacy" not found');
    expect(bound.code).toBe(1);
  });

  it('keeps every file private under umask 0022: directories 0700, files 0600', { timeout: 180_000 }, async () => {
    const env = backendEnv(undefined, newDataDir());
    const previous = process.umask(0o022);
    let api: ApiProcess;
    try {
      api = await start(env);
    } finally {
      process.umask(previous);
    }
    const created = await gql(api.url, 'clerk', CREATE, { input: { name: 'modes', pan: panFor(8) } });
    expect(created.errors).toBeUndefined();
    expect((await runTs('src/cli/transit.ts', ['rotate', 'card-pan'], env)).code).toBe(0);
    const loose: string[] = [];
    const walk = (entry: string) => {
      const stat = fs.lstatSync(entry);
      const mode = stat.mode & 0o777;
      if (stat.isDirectory()) {
        if (mode !== 0o700) loose.push(`${entry} ${mode.toString(8)}`);
        for (const name of fs.readdirSync(entry)) walk(path.join(entry, name));
      } else if (mode !== 0o600) {
        loose.push(`${entry} ${mode.toString(8)}`);
      }
    };
    walk(env.DATA_DIR as string);
    expect(loose).toEqual([]);
    expect(fs.existsSync(path.join(env.DATA_DIR as string, 'master.key'))).toBe(true);
    expect(fs.existsSync(path.join(env.DATA_DIR as string, 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it('starts again after the owner is SIGKILLed mid-stream of creates, with no acknowledged card missing (5 times)', {
    timeout: 600_000,
  }, async () => {
    const env = backendEnv(undefined, newDataDir());
    const acknowledged = new Map<string, string>();
    for (let round = 0; round < 5; round += 1) {
      const api = await start(env);
      const writers = [0, 1].map((writer) =>
        writeContinuously(api.url, (n) => panFor(round * 100_000 + writer * 10_000 + n, '5'), `r${round}w${writer}`),
      );
      while (writers.reduce((sum, writer) => sum + writer.acknowledged.size, 0) < 20) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await api.stop('SIGKILL')).toBeNull();
      for (const writer of writers) {
        await writer.stop();
        for (const [id, pan] of writer.acknowledged) acknowledged.set(id, pan);
      }
    }
    const api = await start(env);
    const { pans, errors } = await processorReadsAll(api.url);
    expect(errors).toEqual([]);
    const missing = [...acknowledged].filter(([id, pan]) => pans.get(id) !== pan);
    expect({ acknowledged: acknowledged.size >= 100, missing }).toEqual({ acknowledged: true, missing: [] });
  });

  it('runs two CLI commands at once with no API: the second waits its turn, both land', {
    timeout: 180_000,
  }, async () => {
    const env = backendEnv(undefined, newDataDir());
    expect((await runTs('src/cli/transit.ts', ['setup'], env)).code).toBe(0);
    const results = await Promise.all([
      runTs('src/cli/transit.ts', ['rotate', 'card-pan'], env),
      runTs('src/cli/transit.ts', ['rotate', 'card-pan'], env),
      runTs(
        'src/cli/db.ts',
        ['backup', path.join(env.DATA_DIR as string, '..', `${path.basename(env.DATA_DIR as string)}.tgz`)],
        env,
      ),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(
      results
        .map((result) => /latest version\s+(\d)/.exec(result.stdout)?.[1])
        .slice(0, 2)
        .sort(),
    ).toEqual(['2', '3']);
    expect(await readOwner(env.DATA_DIR as string)).toBeUndefined();
    fs.rmSync(path.join(env.DATA_DIR as string, '..', `${path.basename(env.DATA_DIR as string)}.tgz`), { force: true });
  });
});
