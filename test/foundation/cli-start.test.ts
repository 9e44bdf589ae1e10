import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished } from '../support/spawn.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The commands `npm run <name>` runs from the build, by the entry under dist/ (sdl:directives writes a file, no --help). */
const COMMANDS: Record<string, string> = {
  transit: 'cli/transit',
  token: 'cli/token',
  db: 'cli/db',
  audit: 'cli/audit',
  demo: 'cli/demo',
  processor: 'processor/main',
  bench: 'cli/bench',
  'bench:transit': 'cli/bench-transit',
  'bench:profile': 'cli/profile-page',
  evidence: 'cli/evidence',
};

const run = (command: string, args: string[], options: { cwd?: string } = {}) =>
  finished(
    spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

describe('the commands run the built JavaScript (dist/), not tsx on the sources', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  }, 120_000);

  it('each npm script names its entry through scripts/run.mjs, and no script but dev runs tsx', () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      expect(packageJson.scripts[name]).toBe(`node scripts/run.mjs ${entry}`);
    }
    expect(packageJson.scripts['sdl:directives']).toBe('node scripts/run.mjs cli/directives-sdl');
    const withTsx = Object.entries(packageJson.scripts).filter(([, script]) => /\btsx\b/.test(script));
    expect(withTsx.map(([name]) => name)).toEqual(['dev']);
  });

  it.each(Object.entries(COMMANDS))(
    '%s: node dist/<its entry>.js --help prints the usage and exits 0',
    async (name, entry) => {
      const { code, stdout, stderr } = await run(process.execPath, [`dist/${entry}.js`, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: npm run ${name} -- `));
      expect(stderr).toBe('');
    },
  );

  it.each(Object.keys(COMMANDS))('npm run %s -- --help prints the usage and exits 0', async (name) => {
    const { code, stdout, stderr } = await run('npm', ['run', '-s', name, '--', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: npm run ${name} -- `));
    expect(stderr).toBe('');
  });
});

describe('scripts/run.mjs rebuilds when a source changed, and only then', () => {
  // A copy of the sources and build scripts (node_modules linked), so that a source can be edited here.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-cli-build-'));
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));
  beforeAll(() => {
    for (const item of ['src', 'scripts', 'schema'])
      fs.cpSync(path.join(ROOT, item), path.join(copy, item), { recursive: true });
    for (const item of ['package.json', 'tsconfig.json']) fs.copyFileSync(path.join(ROOT, item), path.join(copy, item));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  });

  it('builds on first use, reuses the build while nothing changed, runs the edited source after an edit', async () => {
    const stamp = path.join(copy, 'dist/build-inputs.json');
    const first = await run(process.execPath, ['scripts/run.mjs', 'cli/token', '--help'], { cwd: copy });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^usage: npm run token -- /);
    const built = fs.statSync(stamp).mtimeMs;

    const again = await run(process.execPath, ['scripts/run.mjs', 'cli/token', '--help'], { cwd: copy });
    expect(again.stdout).toBe(first.stdout);
    expect(fs.statSync(stamp).mtimeMs).toBe(built);

    // An edit to a module the entry imports (not the entry itself) reaches the next run.
    const roles = path.join(copy, 'src/auth/roles.ts');
    fs.writeFileSync(
      roles,
      fs.readFileSync(roles, 'utf8').replace("'auditor'] as const", "'auditor', 'edited'] as const"),
    );
    const edited = await run(process.execPath, ['scripts/run.mjs', 'cli/token', '--help'], { cwd: copy });
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain('roles: clerk, support, processor, key-admin, auditor, edited');
    expect(fs.statSync(stamp).mtimeMs).toBeGreaterThan(built);

    // No half-written file is left behind; a command run.mjs does not know is a usage error.
    expect(fs.readdirSync(path.join(copy, 'dist')).filter((file) => file.endsWith('.tmp'))).toEqual([]);
    const unknown = await run(process.execPath, ['scripts/run.mjs', 'cli/nothing'], { cwd: copy });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^usage: node scripts\/run\.mjs </);
  }, 120_000);

  it('PROJECT_ROOT is the directory with package.json from the build too (sdl:directives writes schema/ there)', async () => {
    fs.writeFileSync(path.join(copy, 'schema/directives.graphql'), '');
    const { code, stderr } = await run(process.execPath, ['scripts/run.mjs', 'cli/directives-sdl'], { cwd: copy });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'schema/directives.graphql'), 'utf8')).toBe(
      fs.readFileSync(path.join(ROOT, 'schema/directives.graphql'), 'utf8'),
    );
  }, 60_000);
});
