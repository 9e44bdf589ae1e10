import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { loadConfig } from '../../src/config.ts';
import { type Backends, backendSets, realBackendsEnv } from '../support/backends.ts';
import { freePort } from '../support/global-setup.ts';
import { untilListening } from '../support/spawn.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The guide the README's "Use it in your own server" links to. */
const GUIDE = 'docs/add-an-encrypted-field.md';
const EDIT = /^(?:#|\/\/) (\S+), (after|replace) the line: (.+)$/;

/** The parts of the answers this test reads. */
interface Answer {
  createCreditCard: { id: string; phone: string };
  creditCard: { phone: string };
  keyVersions: Array<{ version: number; storedValues: number }>;
  rotateKey: { latestVersion: number };
  rewrapKey: { rewrapped: number; failed: number };
  __type: { fields: Array<{ name: string; description: string }> };
}

interface Block {
  language: string;
  body: string;
}

function guideBlocks(): Block[] {
  const guide = fs.readFileSync(path.join(ROOT, GUIDE), 'utf8');
  return [...guide.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({
    language: match[1] ?? '',
    body: match[2] ?? '',
  }));
}

/** Applies one "file, after|replace the line: …" block; the anchor must match exactly one line. */
function applyEdit(dir: string, block: Block): void {
  const [header = '', ...lines] = block.body.replace(/\n$/, '').split('\n');
  const edit = EDIT.exec(header);
  if (edit === null) throw new Error(`block does not name a file and an anchor: ${header}`);
  const [, file = '', verb, anchor = ''] = edit;
  const target = path.join(dir, file);
  const text = fs.readFileSync(target, 'utf8').split('\n');
  const matches = text.flatMap((line, index) => (line.includes(anchor.trim()) ? [index] : []));
  expect(matches, `${file}: "${anchor}"`).toHaveLength(1);
  const at = matches[0] ?? 0;
  text.splice(verb === 'after' ? at + 1 : at, verb === 'after' ? 0 : 1, ...lines);
  fs.writeFileSync(target, text.join('\n'));
}

/** Environment for the copy's server: the backends' database and transit mount, or an embedded data directory. */
function serverEnv(backends: Backends, copy: string): Record<string, string> {
  return realBackendsEnv(backends) ?? { DATA_DIR: path.join(copy, '.data') };
}

/** Copies the repository's tracked files (node_modules linked), so the guide is followed on a copy. */
function copyRepository(copy: string): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
}

describe('docs/add-an-encrypted-field.md, followed step by step on a copy of the repository', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-guide-'));
  const env = { PATH: process.env.PATH ?? '', HOME: os.homedir() };
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('applies the blocks, generates the migration and types, and typechecks', () => {
    copyRepository(copy);
    const blocks = guideBlocks();
    const commands = blocks.filter((block) => block.language === 'sh');
    expect(commands).toHaveLength(1);
    for (const block of blocks.filter((candidate) => candidate.language !== 'sh')) applyEdit(copy, block);
    execFileSync('bash', ['-e', '-c', commands[0]?.body ?? ''], { cwd: copy, env, stdio: 'pipe' });
    const sqlFiles = (dir: string) =>
      fs.readdirSync(path.join(dir, 'migrations')).filter((name) => name.endsWith('.sql'));
    const added = sqlFiles(copy).filter((name) => !sqlFiles(ROOT).includes(name));
    expect(added).toHaveLength(1);
    const migration = fs.readFileSync(path.join(copy, 'migrations', added[0] ?? ''), 'utf8');
    expect(migration).toContain('"phone_key_version" integer');
    expect(migration).toContain('credit_cards_phone_is_ciphertext');
  }, 300_000);

  for (const set of backendSets()) {
    it(`[${set.name}] the new field is ciphertext bound to its card, masked for support, and the key lifecycle reaches it`, async () => {
      expect(fs.existsSync(path.join(copy, 'src/graphql/generated')), 'the guide was applied').toBe(true);
      const backends = await set.open();
      const backendEnv = serverEnv(backends, copy);
      // As the guide says: on Vault/OpenBao, `transit setup` with an admin token creates the new key.
      if (set.name !== 'embedded') {
        execFileSync('npm', ['run', 'transit', '--', 'setup'], {
          cwd: copy,
          env: { ...env, ...backendEnv },
          stdio: 'pipe',
        });
      }
      const port = await freePort();
      const { spawn } = await import('node:child_process');
      const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: copy,
        env: { ...env, PORT: String(port), ...backendEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise((resolve) => server.once('exit', resolve));
      try {
        const output = await untilListening(server, 120);
        expect(output).toContain('listening on');
        const auth = loadConfig({}).auth;
        const gql = async (role: string, query: string, variables: Record<string, unknown> = {}) => {
          const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${await issueToken(auth, [role], role)}`,
            },
            body: JSON.stringify({ query, variables }),
          });
          return (await response.json()) as { data?: Answer; errors?: unknown[] };
        };
        const created = await gql(
          'clerk',
          'mutation($input: CreditCardInput!) { createCreditCard(input: $input) { id phone } }',
          { input: { name: 'Carlos Gardel', pan: '4539 2966 2013 1157', phone: '+54 11 4555 0199' } },
        );
        expect(created.errors).toBeUndefined();
        expect(created.data?.createCreditCard.phone).toMatch(/^vault:v1:/);
        expect(created.data?.createCreditCard.phone).not.toContain('0199');
        const id = created.data?.createCreditCard.id;
        const phoneAs = (role: string) => gql(role, 'query($id: ID!) { creditCard(id: $id) { phone } }', { id });
        expect((await phoneAs('support')).data?.creditCard.phone).toBe('************0199');
        expect((await phoneAs('processor')).data?.creditCard.phone).toMatch(/^vault:v1:/);
        expect((await phoneAs('clerk')).data?.creditCard.phone).toBe(created.data?.createCreditCard.phone);

        if (set.name === 'postgres+openbao') {
          // Bound to the card: OpenBao decrypts the stored value only with the card's id as context.
          const ciphertext = created.data?.createCreditCard.phone ?? '';
          const [withId, withoutId] = [
            await backends.transit.decrypt('card-phone', [{ ciphertext, context: Buffer.from(id ?? '') }]),
            await backends.transit.decrypt('card-phone', [{ ciphertext }]),
          ];
          expect(withId[0]?.ok && withId[0].value.toString()).toBe('+54 11 4555 0199');
          expect(withoutId[0]?.ok).toBe(false);
        }

        const versions = await gql('key-admin', '{ keyVersions(key: "card-phone") { version storedValues } }');
        expect(versions.data?.keyVersions).toEqual([{ version: 1, storedValues: 1 }]);
        const rotated = await gql('key-admin', 'mutation { rotateKey(name: "card-phone") { latestVersion } }');
        expect(rotated.data?.rotateKey.latestVersion).toBe(2);
        const rewrapped = await gql('key-admin', 'mutation { rewrapKey(name: "card-phone") { rewrapped failed } }');
        expect(rewrapped.data?.rewrapKey).toEqual({ rewrapped: 1, failed: 0 });
        expect((await phoneAs('processor')).data?.creditCard.phone).toMatch(/^vault:v2:/);
        expect((await phoneAs('support')).data?.creditCard.phone).toBe('************0199');

        const docs = await gql('clerk', '{ __type(name: "CreditCard") { fields { name description } } }');
        const phone = docs.data?.__type.fields.find((field) => field.name === 'phone');
        expect(phone?.description).toContain('transit key `card-phone`');
        expect(phone?.description).toContain('`support` reads it masked with LAST4');
      } finally {
        server.kill('SIGINT');
        await exited;
        await backends.close();
      }
    }, 300_000);
  }
});
