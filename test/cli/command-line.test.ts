import { describe, expect, it } from 'vitest';
import { finished, spawnTs } from '../support/spawn.ts';

/** The commands of `npm run <name>` this suite covers, by entry point. */
const COMMANDS = {
  token: 'src/cli/token.ts',
  bench: 'src/cli/bench.ts',
  'bench:transit': 'src/cli/bench-transit.ts',
  demo: 'src/cli/demo.ts',
  processor: 'src/processor/main.ts',
};
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe.each(Object.entries(COMMANDS))('npm run %s', (name, entry) => {
  it('--help and -h print the usage to stdout and exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await finished(spawnTs(entry, [flag]));
      expect(code, flag).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: npm run ${name} -- `));
      expect(stderr).toBe('');
    }
  });

  it('an unknown option prints one line and the usage to stderr, exits 2, no stack trace', async () => {
    const { code, stdout, stderr } = await finished(spawnTs(entry, ['--no-such-option']));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("Unknown option '--no-such-option'");
    expect(stderr).toMatch(new RegExp(`\\nusage: npm run ${name} -- `));
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});

describe('bad arguments and settings', () => {
  it('token: no role, an unknown role or a bad --ttl answer without a stack trace', async () => {
    for (const args of [[], ['janitor'], ['clerk', '--ttl', 'forever']]) {
      const { code, stderr } = await finished(spawnTs(COMMANDS.token, args));
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).not.toMatch(STACK_FRAME);
    }
  });

  it('processor: PORT sets the default API address; PORT=abc is a human message', async () => {
    const unreachable = await finished(spawnTs(COMMANDS.processor, ['--once'], { PORT: '1' }));
    expect(unreachable.stderr).toContain('http://127.0.0.1:1/graphql');
    const bad = await finished(spawnTs(COMMANDS.processor, ['--once'], { PORT: 'abc' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('processor: configuration error: PORT is invalid: must be a port number from 0 to 65535\n');
  });

  it('the server: PORT=abc is a human message', async () => {
    const { code, stderr } = await finished(spawnTs('src/server.ts', [], { PORT: 'abc' }));
    expect(code).toBe(1);
    expect(stderr).toBe('transitql: configuration error: PORT is invalid: must be a port number from 0 to 65535\n');
  });
});

describe('tables', () => {
  it('bench:transit prints no colour codes into a pipe', async () => {
    const { code, stdout } = await finished(spawnTs(COMMANDS['bench:transit'], ['--quick', '--out', '/dev/null']));
    expect(code).toBe(0);
    expect(stdout).toContain('naive / batched');
    expect(stdout).not.toContain('\u001b[');
  });
});
