import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { loadConfig } from '../../src/config.ts';
import { freePort } from '../support/global-setup.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HEADING = 'Add an encrypted field';
const EDIT = /^(?:#|\/\/) (\S+), (after|replace) the line: (.+)$/;

/** The parts of the answers this test reads. */
interface Answer {
  createCreditCard: { id: string; phone: string };
  creditCard: { phone: string };
  __type: { fields: Array<{ name: string; description: string }> };
}

interface Block {
  language: string;
  body: string;
}

function guideBlocks(): Block[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${HEADING}\n`);
  if (start < 0) throw new Error(`README has no section "${HEADING}"`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({
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

describe('README "Add an encrypted field", followed step by step on a copy of the repository [embedded]', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-guide-'));
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('the new field is stored as ciphertext under its own key, masked for support, its contract in the docs', async () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of files) {
      if (!fs.existsSync(path.join(ROOT, file))) continue;
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));

    const blocks = guideBlocks();
    const commands = blocks.filter((block) => block.language === 'sh');
    expect(commands).toHaveLength(1);
    for (const block of blocks.filter((candidate) => candidate.language !== 'sh')) applyEdit(copy, block);
    const env = { PATH: process.env.PATH ?? '', HOME: os.homedir() };
    execFileSync('bash', ['-e', '-c', commands[0]?.body ?? ''], { cwd: copy, env, stdio: 'pipe' });
    expect(fs.readdirSync(path.join(copy, 'migrations')).filter((name) => name.endsWith('.sql')).length).toBe(
      fs.readdirSync(path.join(ROOT, 'migrations')).filter((name) => name.endsWith('.sql')).length + 1,
    );

    const port = await freePort();
    const server = await import('node:child_process').then(({ spawn }) =>
      spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: copy,
        env: { ...env, PORT: String(port), DATA_DIR: path.join(copy, '.data') },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let output = '';
    server.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    server.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    try {
      for (let attempt = 0; attempt < 1200 && !output.includes('key-admin'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
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
      const id = created.data?.createCreditCard.id;
      const asSupport = await gql('support', 'query($id: ID!) { creditCard(id: $id) { phone } }', { id });
      expect(asSupport.data?.creditCard.phone).toBe('************0199');
      const asProcessor = await gql('processor', 'query($id: ID!) { creditCard(id: $id) { phone } }', { id });
      expect(asProcessor.data?.creditCard.phone).toMatch(/^vault:v1:/);
      const docs = await gql('clerk', '{ __type(name: "CreditCard") { fields { name description } } }');
      const phone = docs.data?.__type.fields.find((field) => field.name === 'phone');
      expect(phone?.description).toContain('transit key `card-phone`');
      expect(phone?.description).toContain('`support` reads it masked with LAST4');
    } finally {
      server.kill('SIGINT');
    }
  }, 300_000);
});
