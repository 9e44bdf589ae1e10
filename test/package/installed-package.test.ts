import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backendSets, createDatabase, dropDatabase, realBackendsEnv } from '../support/backends.ts';
import { finished } from '../support/spawn.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const clinicFiles = path.join(import.meta.dirname, 'clinic');

interface Scratch {
  dir: string;
  tarball: string;
  files: string[];
  packSeconds: number;
}

/**
 * `npm pack` into a scratch project outside the repository, unpacked where npm puts a dependency, and
 * each package it declares (dependencies and peers) plus the clinic's own (its database drivers,
 * drizzle-kit) linked from the repository's node_modules: `npm install --offline` cannot resolve
 * version ranges here (the npm cache holds tarballs, not the registry's install documents). Nothing
 * links src/: the package's own files are the tarball's.
 */
async function installPackage(): Promise<Scratch> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-clinic-'));
  const started = performance.now();
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root });
  const packSeconds = (performance.now() - started) / 1000;
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (packed === undefined) throw new Error(`npm pack reported nothing: ${stdout}`);
  const tarball = path.join(dir, packed.filename);
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  await run('tar', ['-xzf', tarball, '-C', modules]);
  fs.renameSync(path.join(modules, 'package'), path.join(modules, 'transitql'));
  const manifest = JSON.parse(fs.readFileSync(path.join(modules, 'transitql', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    bin: Record<string, string>;
  };
  // As npm links a dependency's commands: node_modules/.bin/<name>, executable.
  fs.mkdirSync(path.join(modules, '.bin'));
  for (const [name, file] of Object.entries(manifest.bin)) {
    fs.chmodSync(path.join(modules, 'transitql', file), 0o755);
    fs.symlinkSync(path.join('..', 'transitql', file), path.join(modules, '.bin', name));
  }
  const clinicOwn = ['@electric-sql/pglite', 'postgres', 'drizzle-kit'];
  const linked = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), ...clinicOwn];
  for (const name of new Set(linked)) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', name), path.join(modules, name));
  }
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'clinic',
      private: true,
      type: 'module',
      dependencies: { transitql: `file:${packed.filename}` },
    }),
  );
  for (const file of fs.readdirSync(clinicFiles)) fs.copyFileSync(path.join(clinicFiles, file), path.join(dir, file));
  return { dir, tarball, files: packed.files.map((file) => file.path), packSeconds };
}

/** Runs a command in the scratch project with only the environment given (no DATABASE_URL or VAULT_* leaks in). */
async function runIn(scratch: Scratch, command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd: scratch.dir,
    env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child);
}

async function node(scratch: Scratch, args: string[], env: Record<string, string> = {}) {
  const result = await runIn(scratch, process.execPath, args, env);
  if (result.code !== 0) throw new Error(`node ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

interface Answer<T> {
  data: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

interface Admitted {
  id: string;
  stored: { ssn: string; ssnIndex: string };
  nurse: Answer<{ patient: { ssn: string } }>;
  clerk: Answer<{ patient: { ssn: string } }>;
  anonymous: Answer<{ patient: { ssn: string } }>;
  lookupHit: Answer<{ patientsBySsn: Array<{ id: string; name: string }> }>;
  lookupMiss: Answer<{ patientsBySsn: unknown[] }>;
}

interface ReadAgain {
  stored: { ssn: string; ssnIndex: string };
  nurse: Answer<{ patient: { ssn: string } }>;
  lookupHit: Answer<{ patientsBySsn: Array<{ id: string; name: string }> }>;
}

const lastLine = (output: string) => JSON.parse(output.trim().split('\n').at(-1) ?? '') as unknown;

describe('the packed tarball, installed in a project of its own', () => {
  let scratch: Scratch;
  let installSeconds: number;

  beforeAll(async () => {
    const started = performance.now();
    scratch = await installPackage();
    // The clinic's migrations, generated by drizzle-kit from its schema (its table and transitql's two).
    await node(scratch, ['node_modules/drizzle-kit/bin.cjs', 'generate', '--config', 'drizzle.config.mjs']);
    installSeconds = (performance.now() - started) / 1000;
  }, 180_000);
  afterAll(() => {
    if (scratch !== undefined) fs.rmSync(scratch.dir, { recursive: true, force: true });
  });

  it('holds compiled JavaScript with declarations, and nothing of the card app', () => {
    console.log(
      `npm pack: ${scratch.packSeconds.toFixed(1)} s; pack + unpack + drizzle-kit generate: ${installSeconds.toFixed(1)} s; tarball ${(fs.statSync(scratch.tarball).size / 1024).toFixed(1)} kB, ${scratch.files.length} files`,
    );
    expect(scratch.files).toContain('lib/index.js');
    expect(scratch.files).toContain('lib/index.d.ts');
    expect(scratch.files).toContain('lib/drizzle.js');
    expect(scratch.files).toContain('lib/apollo.js');
    const unexpected = scratch.files.filter(
      (file) => !/^lib\/.+\.(js|d\.ts)$/.test(file) && !['package.json', 'README.md'].includes(file),
    );
    expect(unexpected).toEqual([]);
    expect(
      scratch.files.filter((file) => /cards|processor|demo|bench|\.ts$/.test(file.replace(/\.d\.ts$/, ''))),
    ).toEqual([]);
  });

  it('resolves transitql and its subpaths inside the scratch project, from plain node', async () => {
    const resolved = await node(scratch, [
      '--input-type=module',
      '-e',
      "for (const s of ['transitql', 'transitql/drizzle', 'transitql/apollo']) console.log(import.meta.resolve(s)); const m = await import('transitql'); console.log(typeof m.createFieldEncryption);",
    ]);
    const lines = resolved.trim().split('\n');
    const inPackage = `file://${fs.realpathSync(path.join(scratch.dir, 'node_modules', 'transitql'))}/lib/`;
    expect(lines.slice(0, 3)).toEqual([`${inPackage}index.js`, `${inPackage}drizzle.js`, `${inPackage}apollo.js`]);
    expect(lines[3]).toBe('function');
    const migration = fs.readdirSync(path.join(scratch.dir, 'drizzle')).find((file) => file.endsWith('.sql'));
    const sql = fs.readFileSync(path.join(scratch.dir, 'drizzle', migration ?? 'missing'), 'utf8');
    for (const table of ['patients', 'reveal_events', 'reveal_reservations']) {
      expect(sql).toContain(`CREATE TABLE "${table}"`);
    }
  });

  describe.each(backendSets())('the clinic serves patients through it [$name]', (set) => {
    it('transitql keys setup; the server admits, reads per role and looks up by SSN; transitql rotates, retires (refused, then accepted), rewraps, reindexes, verifies the reveal record and says who read', async () => {
      let env: Record<string, string> = {};
      let release = async () => {};
      if (set.name === 'postgres+openbao') {
        const real = inject('realBackends');
        if (real === null) throw new Error('no real backends');
        // The harness's backends give an OpenBao mount; the clinic gets a database of its own, unmigrated.
        const backends = await set.open();
        const database = await createDatabase(real.databaseUrl, `clinic_${randomBytes(6).toString('hex')}`);
        const forChild = realBackendsEnv(backends);
        if (forChild === undefined) throw new Error('not on real backends');
        env = { ...forChild, DATABASE_URL: database };
        release = async () => {
          await dropDatabase(real.databaseUrl, database);
          await backends.close();
        };
      }
      const dataDir = path.join(scratch.dir, 'data');
      fs.rmSync(dataDir, { recursive: true, force: true });
      const transitql = async (...args: string[]) => {
        const result = await runIn(scratch, 'node_modules/.bin/transitql', args, env);
        return { code: result.code, out: result.stdout.trim(), err: result.stderr.trim() };
      };
      try {
        const started = performance.now();
        // The operator creates the keys first (on OpenBao the server would refuse to start without them).
        expect(await transitql('keys', 'setup')).toMatchObject({
          code: 0,
          out: expect.stringMatching(
            /key patient-ssn: created\nkey patient-ssn-index: created\nkey reveal-seal: created$/,
          ),
        });
        const admitted = lastLine(await node(scratch, ['scenario.mjs', 'admit'], env)) as Admitted;
        expect(admitted.stored.ssn).toMatch(/^vault:v1:/);
        expect(admitted.stored.ssn).not.toContain('6789');
        expect(admitted.stored.ssnIndex).toMatch(/^vault:v1:/);
        expect(admitted.nurse.data?.patient.ssn).toBe('123-45-6789');
        expect(admitted.clerk.data?.patient.ssn).toBe('*******6789');
        expect(admitted.anonymous.data?.patient.ssn).toBe(admitted.stored.ssn);
        expect(admitted.lookupHit.data?.patientsBySsn).toEqual([{ id: admitted.id, name: 'Ada' }]);
        expect(admitted.lookupMiss.data?.patientsBySsn).toEqual([]);

        // The operator's commands, from the clinic's transitql.config.mjs.
        expect(await transitql('keys', 'list')).toMatchObject({
          code: 0,
          out: expect.stringMatching(
            /patient-ssn: encryption, derived, v1\.\.v1\n.*patient-ssn-index: blind index, v1\.\.v1/s,
          ),
        });
        expect(await transitql('--by', 'ann', 'keys', 'rotate', 'patient-ssn')).toEqual({
          code: 0,
          out: 'patient-ssn: rotated to v2',
          err: '',
        });
        const refused = await transitql('keys', 'retire', 'patient-ssn', '2');
        expect(refused.code).toBe(1);
        expect(refused.err).toMatch(/1 stored value is older than v2/);
        expect((await transitql('keys', 'rewrap', 'patient-ssn')).out).toBe(
          'patient-ssn: 1 of 1 values rewrapped to v2',
        );
        expect((await transitql('keys', 'retire', 'patient-ssn', '2')).out).toBe(
          'patient-ssn: versions below v2 retired',
        );
        expect((await transitql('keys', 'info', 'patient-ssn')).out).toBe(
          'patient-ssn: latest v2, oldest readable v2\n  v2: 1 stored values',
        );
        expect((await transitql('keys', 'rotate', 'patient-ssn-index')).code).toBe(0);
        expect((await transitql('keys', 'reindex', 'patient-ssn-index')).out).toBe(
          'patients.ssn_index: 1 of 1 reindexed under v2',
        );

        const again = lastLine(await node(scratch, ['scenario.mjs', 'read', admitted.id], env)) as ReadAgain;
        expect(again.stored.ssn).toMatch(/^vault:v2:/);
        expect(again.stored.ssnIndex).toMatch(/^vault:v2:/);
        expect(again.nurse.data?.patient.ssn).toBe('123-45-6789');
        expect(again.lookupHit.data?.patientsBySsn).toEqual([{ id: admitted.id, name: 'Ada' }]);

        expect((await transitql('audit', 'verify')).out).toMatch(
          /^reveal record intact: \d+ records, chain and seals verified$/,
        );
        const whoRead = (await transitql('audit', 'who-read', admitted.id)).out.split('\n');
        const grants = new Set(whoRead.map((line) => line.split(' ').slice(1, 4).join(' ')));
        expect(grants).toEqual(new Set(['nurse-1 nurse NONE', 'clerk-1 clerk LAST4', 'clerk-1 * EXISTS']));
        // Each key command left an administrative entry: who, what, on which key, how it ended.
        const actions = (await transitql('audit', 'tail', '50')).out
          .split('\n')
          .filter((line) => line.includes(' admin ADMIN '))
          .map((line) => line.split(' ').slice(1).join(' '));
        const operator = os.userInfo().username;
        expect(actions).toEqual([
          `${operator} admin ADMIN key.setup (0)  succeeded`,
          'ann admin ADMIN key.rotate (0) patient-ssn succeeded',
          `${operator} admin ADMIN key.retire (0) patient-ssn failed`,
          `${operator} admin ADMIN key.rewrap (0) patient-ssn succeeded`,
          `${operator} admin ADMIN key.retire (0) patient-ssn succeeded`,
          `${operator} admin ADMIN key.rotate (0) patient-ssn-index succeeded`,
          `${operator} admin ADMIN key.reindex (0) patient-ssn-index succeeded`,
        ]);
        expect(await transitql('keys', 'retire')).toMatchObject({ code: 2, err: expect.stringContaining('usage:') });
        expect(await transitql('audit', 'tail', '-1')).toMatchObject({
          code: 2,
          err: expect.stringContaining('usage:'),
        });
        console.log(
          `[${set.name}] clinic: server runs and operator commands: ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      } finally {
        await release();
      }
    }, 240_000);
  });
});
