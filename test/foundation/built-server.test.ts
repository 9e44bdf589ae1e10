import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/global-setup.ts';
import { finished } from '../support/spawn.ts';

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-built-'));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

describe('npm start runs the bundled server (dist/server.js) [embedded]', () => {
  it('builds, then serves GraphQL, GraphiQL and its page script, with migrations applied, from the bundle', async () => {
    const port = await freePort();
    const server = spawn('npm', ['start'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.homedir(),
        PORT: String(port),
        DATA_DIR: path.join(temporary, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exit = finished(server);
    let output = '';
    server.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    for (let attempt = 0; attempt < 1200 && !output.includes('key-admin'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      expect(output).toContain(`listening on http://127.0.0.1:${port}/graphql`);
      const processes = fs.readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8');
      const commands = processes
        .trim()
        .split(/\s+/)
        .flatMap((pid) => fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/))
        .filter(Boolean)
        .map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      expect(commands.join('\n')).toContain('dist/server.js');
      expect(commands.join('\n')).not.toContain('tsx');

      const card = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __type(name: "CreditCard") { fields { name description } } }' }),
      });
      const fields = ((await card.json()) as { data: { __type: { fields: { name: string; description: string }[] } } })
        .data.__type.fields;
      expect(fields.find((field) => field.name === 'pan')?.description).toContain('transit key `card-pan`');
      const script = await fetch(`http://127.0.0.1:${port}/graphiql-assets/start-graphiql.js`);
      expect(script.status).toBe(200);
      expect(fs.existsSync(path.join(temporary, 'data', 'pglite', 'PG_VERSION'))).toBe(true);
    } finally {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGINT');
    }
    const result = await exit;
    expect(result.stderr).toBe('');
  }, 180_000);
});
