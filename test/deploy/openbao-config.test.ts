import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { encryptionKeysOf } from '../../src/directives/encrypted.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { apiPolicy, keyAdminPolicy } from '../../src/transit/vault/least-privilege.ts';

/** The policy text of a request in initialize.hcl (a heredoc), without indentation. */
function policyIn(hcl: string, name: string): string {
  const match = hcl.match(
    new RegExp(`path\\s*=\\s*"sys/policies/acl/${name}"[\\s\\S]*?<<-EOT\\n([\\s\\S]*?)\\n\\s*EOT`),
  );
  if (match === null) throw new Error(`initialize.hcl writes no policy ${name}`);
  return normalise(match[1] ?? '');
}

function normalise(policy: string): string {
  return policy
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

describe('deploy/openbao/initialize.hcl [embedded]', () => {
  it('creates every key the schema encrypts with, and writes the policies `transit setup` writes', async () => {
    const hcl = await readFile('deploy/openbao/initialize.hcl', 'utf8');
    const keys = encryptionKeysOf(buildSchema());
    for (const key of keys) expect(hcl).toContain(`path      = "transit/keys/${key}"`);
    expect(policyIn(hcl, 'transitql-api')).toBe(normalise(apiPolicy('transit', keys)));
    expect(policyIn(hcl, 'transitql-key-admin')).toBe(normalise(keyAdminPolicy('transit', keys)));
  });
});
