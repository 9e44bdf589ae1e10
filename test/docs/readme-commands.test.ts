import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/global-setup.ts';
import { fencedBlocks } from '../support/markdown.ts';
import { untilListening } from '../support/spawn.ts';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const readme = () => fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/**
 * The commands the README shows: each line of its ```sh blocks (continuations joined, comments dropped), and
 * each code span in its prose that starts with a program a reader would type.
 */
function readmeCommands(markdown: string): string[] {
  const commands = new Set<string>();
  const normalise = (command: string) => command.replace(/\s+/g, ' ').trim();
  for (const block of fencedBlocks(markdown).filter((candidate) => candidate.language === 'sh')) {
    for (const line of block.body.replace(/\\\n\s*/g, ' ').split('\n')) {
      const command = normalise(line.replace(/\s+#\s.*$/, ''));
      if (command !== '' && !command.startsWith('#')) commands.add(command);
    }
  }
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, span = ''] of prose.matchAll(/`([^`]+)`/g)) {
    if (/^(npm|npx|node|docker|docker-compose|bao|curl|createdb|pg_dump|pg_restore) /.test(span)) {
      commands.add(normalise(span));
    }
  }
  return [...commands];
}

/** The commands this file runs itself, as the README writes them (below: on `npm start` over a fresh data directory). */
const RUN_HERE = {
  start: 'npm start',
  createCard: `curl -s localhost:4000/graphql -H 'content-type: application/json' -H "authorization: Bearer $(npm run -s token -- clerk)" -d '{"query":"mutation { createCreditCard(input: {name: \\"Carlos Gardel\\", pan: \\"4539296620131157\\"}) { id pan } }"}'`,
  token: 'npm run token -- processor',
  tokenForRole: 'npm run token -- <role>',
  demo: 'npm run demo',
  rotate: 'npm run transit -- rotate card-pan',
  rewrap: 'npm run transit -- rewrap card-pan',
  retire: 'npm run transit -- retire card-pan 2',
  info: 'npm run transit -- info',
  verify: 'npm run audit -- verify',
  tail: 'npm run audit -- tail 50',
  whoRead: 'npm run audit -- who-read <id>',
} as const;

/**
 * The commands another test runs (too slow, or needing backends or a cluster this file does not start): the
 * file, and what in it shows that it runs the command. For the test scripts, the file is package.json.
 */
const RUN_ELSEWHERE: Record<string, { test: string; runs: string }> = {
  'npm install && npm start': { test: 'test/foundation/built-server.test.ts', runs: "spawn('npm', ['start']" },
  'npm test': { test: 'package.json', runs: '"test":' },
  'npm run test:all': { test: 'package.json', runs: '"test:all":' },
  'npm run test:fuzz': { test: 'package.json', runs: '"test:fuzz":' },
  'npm run test:server-mode': { test: 'package.json', runs: '"test:server-mode":' },
  'npm run evidence': { test: 'package.json', runs: '"evidence":' },
  'npm run audit -- --help': { test: 'test/docs/readme-set-up.test.ts', runs: "'--help'" },
  'npm run bench': { test: 'test/bench/bench-quick.test.ts', runs: "'src/cli/bench.ts', '--quick'" },
  // "Real Postgres and Vault/OpenBao": both blocks, as written, on the PostgreSQL and OpenBao of the run.
  ...Object.fromEntries(
    [
      'BAO=.tools/venv/bin/bao; [ -x "$BAO" ] || BAO=bao',
      '"$BAO" server -dev -dev-root-token-id=dev-root -dev-listen-address=127.0.0.1:8200 > bao.log 2>&1 &',
      'until curl -fs http://127.0.0.1:8200/v1/sys/health > /dev/null; do sleep 1; done',
      'createdb -h 127.0.0.1 -U postgres transitql',
      'export DATABASE_URL=postgres://postgres@127.0.0.1:5432/transitql VAULT_ADDR=http://127.0.0.1:8200',
      'VAULT_TOKEN=dev-root npm run transit -- setup --out creds.json',
      `export VAULT_ROLE_ID=$(node -p "require('./creds.json')['transitql-api'].roleId")`,
      `export VAULT_SECRET_ID=$(node -p "require('./creds.json')['transitql-api'].secretId")`,
      `export VAULT_ROLE_ID=$(node -p "require('./creds.json')['transitql-key-admin'].roleId")`,
      `export VAULT_SECRET_ID=$(node -p "require('./creds.json')['transitql-key-admin'].secretId")`,
      'npm run demo -- --key-admin-credentials creds.json',
      'npm run transit -- info card-pan',
    ].map((command) => [
      command,
      { test: 'test/docs/readme-real-backends.test.ts', runs: "'Real Postgres and Vault/OpenBao'" },
    ]),
  ),
  'npm run transit -- setup': {
    test: 'test/docs/readme-encrypted-field.test.ts',
    runs: "['run', 'transit', '--', 'setup']",
  },
  'npm pack': { test: 'test/package/installed-package.test.ts', runs: "run('npm', ['pack'" },
  'npm run transit -- reindex card-pan-index': {
    test: 'test/blind-index/rotation-reindex.test.ts',
    runs: "'src/cli/transit.ts', ['reindex', INDEX_KEY",
  },
  'npm run transit -- bind card-pan-bound --from card-pan': {
    test: 'test/ownership/single-owner.test.ts',
    runs: "'src/cli/transit.ts', ['bind', 'card-pan', '--from', 'card-pan-legacy']",
  },
  // The embedded backup and restore, the keyring copied after the database, restored into a fresh DATA_DIR.
  'npm run db -- backup backups/transitql-$(date +%F).tgz': {
    test: 'test/ownership/backup-drill-embedded.test.ts',
    runs: "'src/cli/db.ts', ['backup', archive]",
  },
  'cp .data/transit/keyring.json backups/': {
    test: 'test/ownership/backup-drill-embedded.test.ts',
    runs: 'keyring.json',
  },
  'npm run db -- restore backups/transitql-2026-11-28.tgz': {
    test: 'test/ownership/backup-drill-embedded.test.ts',
    runs: "'src/cli/db.ts', ['restore', archive]",
  },
  'cp backups/keyring.json .data/transit/keyring.json': {
    test: 'test/ownership/backup-drill-embedded.test.ts',
    runs: 'keyring.json',
  },
  'npm run audit -- acknowledge-loss --reason "incident 7: reveal_events rows deleted" [--by alice]': {
    test: 'test/ownership/reveal-anchor-process.test.ts',
    runs: "'src/cli/audit.ts', ['acknowledge-loss', '--reason'",
  },
  'npm run processor -- --once': { test: 'test/processor/processor-process.ts', runs: "startProcessor(['--once'" },
  'npm run processor': { test: 'test/processor/processor-concurrency.test.ts', runs: 'startProcessor([], ' },
  // The production deploy: no Docker engine here. The file is checked with docker-compose config, and the
  // committed deploy/openbao files run as real `bao server` clusters (npm run test:server-mode).
  'export AUTH_JWT_SECRET="$(openssl rand -base64 48)"': {
    test: 'test/deploy/compose.test.ts',
    runs: 'generated with: openssl rand -base64 48',
  },
  'docker compose up --build': { test: 'test/deploy/compose.test.ts', runs: "['-f', 'docker-compose.yml', 'config']" },
  'docker-compose config': { test: 'test/deploy/compose.test.ts', runs: "['-f', 'docker-compose.yml', 'config']" },
  'docker compose exec api npm run -s token -- clerk': {
    test: 'test/deploy/compose.test.ts',
    runs: 'AUTH_JWT_SECRET',
  },
  'bao server': { test: 'test/support/openbao-cluster.ts', runs: "'server'" },
};

const runHere = new Set<string>(Object.values(RUN_HERE));

describe('README: every command it shows is run by a test', () => {
  it('each command is run in this file or mapped to the test that runs it', () => {
    const unaccounted = readmeCommands(readme()).filter(
      (command) => !runHere.has(command) && !(command in RUN_ELSEWHERE),
    );
    expect(unaccounted, 'commands the README shows that no test runs: run them here or map them').toEqual([]);
  });

  it('the map names only commands the README shows', () => {
    const shown = new Set(readmeCommands(readme()));
    expect([...runHere, ...Object.keys(RUN_ELSEWHERE)].filter((command) => !shown.has(command))).toEqual([]);
  });

  it('each mapped test exists and mentions what it runs', () => {
    const unproven = Object.entries(RUN_ELSEWHERE)
      .filter(([, { test, runs }]) => {
        const file = path.join(ROOT, test);
        return !fs.existsSync(file) || !fs.readFileSync(file, 'utf8').includes(runs);
      })
      .map(([command, { test, runs }]) => `${command}: ${test} does not mention ${runs}`);
    expect(unproven).toEqual([]);
  });
});

describe('README commands, run as written on npm start over a fresh embedded data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-readme-'));
  let server: ChildProcess | undefined;
  afterAll(async () => {
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, creates the card with curl, plays the demo, rotates, rewraps and retires, and reads the reveal record', async () => {
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? '', HOME: os.homedir(), DATA_DIR: dataDir, PORT: String(port) };
    const shell = async (command: string) => {
      const { stdout } = await execFileAsync('bash', ['-e', '-c', command], { cwd: ROOT, env, timeout: 120_000 });
      return stdout;
    };

    server = spawn('bash', ['-c', RUN_HERE.start], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = await untilListening(server);
    expect(output).toContain(`listening on http://127.0.0.1:${port}/graphql`);

    const created = JSON.parse(await shell(RUN_HERE.createCard.replace('localhost:4000', `localhost:${port}`))) as {
      data: { createCreditCard: { id: string; pan: string } };
    };
    expect(created.data.createCreditCard.pan).toMatch(/^vault:v1:/);
    for (const command of [RUN_HERE.token, RUN_HERE.tokenForRole.replace('<role>', 'clerk')]) {
      expect(await shell(command)).toMatch(/(^|\n)eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    }

    const demo = await shell(`${RUN_HERE.demo} -- --url http://127.0.0.1:${port}/graphql`);
    expect(demo).toMatch(/"pan": "vault:v2:/);
    // The demo's three cards and the one curl created: every pending card.
    expect(demo).toContain('processed 4, failed 0');

    // Keys: through the running API (the operator socket), as the README's block runs them.
    expect(await shell(RUN_HERE.rotate)).toMatch(/latest version +3/);
    expect(await shell(RUN_HERE.rewrap)).toContain(
      'to v3: 4 rewrapped, 0 changed meanwhile (left as written), 0 failed, of 4',
    );
    expect(await shell(RUN_HERE.retire)).toMatch(/min decryption version +2/);
    expect(await shell(RUN_HERE.info)).toMatch(/card-pan-index/);

    expect(await shell(RUN_HERE.verify)).toMatch(/\nreveal record intact: \d+ records, chain and seals verified\n/);
    expect(await shell(RUN_HERE.tail)).toContain('processor');
    expect(await shell(RUN_HERE.whoRead.replace('<id>', created.data.createCreditCard.id))).toContain('processor');
  }, 420_000);
});
