import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const README = path.join(ROOT, 'README.md');

function readme(): string {
  return fs.readFileSync(README, 'utf8').replace(/\s*\n\s*/g, ' ');
}

/** Scripts that run a command of ours but take no options: a generator writes its file whatever it is given. */
const NO_USAGE = new Set(['sdl:directives']);

/** The npm scripts that run one of the project's commands (src/cli/*, the processor), built. */
function commandScripts(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return Object.entries(scripts)
    .filter(
      ([name, script]) => /^node scripts\/run\.mjs (cli\/[\w-]+|processor\/main)$/.test(script) && !NO_USAGE.has(name),
    )
    .map(([name]) => name);
}

describe('README Set-up: the commands that print their usage with -- --help', () => {
  const listed = () => {
    const sentence = /Every command \(([^)]*)\) prints its usage with `-- --help`/.exec(readme());
    expect(sentence, 'the "Every command (…) prints its usage" sentence').not.toBeNull();
    return [...(sentence?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]);
  };

  it('names every command script in package.json', () => {
    expect([...listed()].sort()).toEqual(commandScripts().sort());
  });

  it('each one it names prints its usage and exits 0', { timeout: 180_000 }, async () => {
    for (const name of listed()) {
      const { stdout } = await run('npm', ['run', '-s', name ?? '', '--', '--help'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent' },
        timeout: 60_000,
      });
      expect(stdout, name).toMatch(new RegExp(`^usage: npm run ${name} --`));
    }
  });
});

describe('README Explore in GraphiQL: what happens as the page opens', () => {
  // test/e2e/graphiql-first-click.test.ts presses Run for the first answer: the page runs nothing by itself.
  it('says to press Run, not that the first tab runs by itself', () => {
    const text = readme();
    expect(text.includes('runs as the page opens'), 'the old "runs as the page opens"').toBe(false);
    expect(
      text.includes('The first tab is open when the page loads, and nothing runs by itself: press Run ▶ to run it'),
    ).toBe(true);
  });
});
