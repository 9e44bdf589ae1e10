import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { transitKeysOf } from '../../src/encryption-declarations.ts';
import { blindIndexKeysOf } from '../../src/field-encryption/index.ts';
import { apiPolicy, keyAdminPolicy } from '../../src/field-encryption/transit/vault/least-privilege.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';

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
    const schema = buildSchema({ maxBulkSize: 1000 });
    const keySpecs = transitKeysOf(schema);
    const indexKeys = [...blindIndexKeysOf(schema)];
    expect(indexKeys).toEqual(['card-pan-index']);
    const keys = [...keySpecs.keys()].filter((key) => !indexKeys.includes(key));
    for (const [key, { derived }] of keySpecs) {
      const request = hcl.match(new RegExp(`path\\s*=\\s*"transit/keys/${key}"\\s*data = \\{([^}]*)\\}`));
      expect(request, `initialize.hcl creates transit/keys/${key}`).not.toBeNull();
      expect(/derived\s*=\s*true/.test(request?.[1] ?? '')).toBe(derived);
    }
    expect(policyIn(hcl, 'transitql-api')).toBe(
      normalise(apiPolicy('transit', keys, indexKeys, { mount: 'transit-anchor', path: 'reveal-record' })),
    );
    // The reveal record's checkpoint: a KV v2 mount of the default name (VAULT_ANCHOR_MOUNT).
    expect(hcl).toMatch(
      /path\s*=\s*"sys\/mounts\/transit-anchor"\s*data = \{\s*type\s*=\s*"kv"\s*options = \{\s*version = "2"/,
    );
    expect(policyIn(hcl, 'transitql-key-admin')).toBe(normalise(keyAdminPolicy('transit', keys, indexKeys)));
  });
});
