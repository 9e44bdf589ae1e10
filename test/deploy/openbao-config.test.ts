import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY, transitKeysOf } from '../../src/encryption-declarations.ts';
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
    const keys = [...keySpecs.keys()].filter((key) => !indexKeys.includes(key));
    for (const [key, { derived }] of keySpecs) {
      const request = hcl.match(new RegExp(`path\\s*=\\s*"transit/keys/${key}"\\s*data = \\{([^}]*)\\}`));
      // A key declared in the SDL but missing here: the message is the block to add to `initialize "transit"`.
      const toAdd = [
        `initialize.hcl does not create the declared key ${key}; add to initialize "transit":`,
        `  request "create-${key}" {`,
        '    operation = "update"',
        `    path      = "transit/keys/${key}"`,
        '    data = {',
        '      type    = "aes256-gcm96"',
        ...(derived ? ['      derived = true'] : []),
        '    }',
        '  }',
        'The policies below must then grant it as `npm run transit -- setup` does: a failure shows their expected text.',
      ].join('\n');
      expect(request, toAdd).not.toBeNull();
      expect(/derived\s*=\s*true/.test(request?.[1] ?? ''), `transit/keys/${key} derived`).toBe(derived);
    }
    // On a difference, the expected text is the policy to paste into the request's heredoc.
    expect(policyIn(hcl, 'transitql-api'), 'initialize.hcl transitql-api policy = the one transit setup writes').toBe(
      normalise(apiPolicy('transit', keys, indexKeys, { mount: 'transit-anchor', path: 'reveal-record' })),
    );
    // The reveal record's checkpoint: a KV v2 mount of the default name (VAULT_ANCHOR_MOUNT).
    expect(hcl).toMatch(
      /path\s*=\s*"sys\/mounts\/transit-anchor"\s*data = \{\s*type\s*=\s*"kv"\s*options = \{\s*version = "2"/,
    );
    expect(
      policyIn(hcl, 'transitql-key-admin'),
      'initialize.hcl transitql-key-admin policy = the one transit setup writes',
    ).toBe(
      normalise(
        keyAdminPolicy('transit', keys, indexKeys, {
          sealKey: REVEAL_SEAL_KEY,
          anchor: { mount: 'transit-anchor', path: 'reveal-record' },
        }),
      ),
    );
    // The key admin seals its commands' entries on the reveal record; it never decrypts or encrypts.
    const keyAdmin = policyIn(hcl, 'transitql-key-admin');
    expect(keyAdmin).not.toMatch(/transit\/(decrypt|encrypt|datakey|export)\//);
    expect([...keyAdmin.matchAll(/path "transit\/hmac\/([^"]+)"/g)].map((match) => match[1])).toEqual([
      REVEAL_SEAL_KEY,
    ]);
  });

  it('declares the backup and restore credentials: one snapshot path each, one-use tokens, files from setup-secrets.sh', async () => {
    const hcl = await readFile('deploy/openbao/initialize.hcl', 'utf8');
    const setup = await readFile('deploy/openbao/setup-secrets.sh', 'utf8');
    expect(policyIn(hcl, 'transitql-backup')).toBe(
      normalise('path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}'),
    );
    expect(policyIn(hcl, 'transitql-restore')).toBe(
      normalise('path "sys/storage/raft/snapshot-force" {\n  capabilities = ["update"]\n}'),
    );
    for (const role of ['transitql-backup', 'transitql-restore']) {
      const declared = hcl.match(new RegExp(`path\\s*=\\s*"auth/approle/role/${role}"\\s*data = \\{([^}]*)\\}`));
      expect(declared, `initialize.hcl declares the ${role} AppRole`).not.toBeNull();
      expect(declared?.[1]).toMatch(new RegExp(`token_policies\\s*=\\s*\\["${role}"\\]`));
      expect(declared?.[1]).toMatch(/token_num_uses\s*=\s*1\b/);
      expect(hcl).toContain(`/openbao/approle/${role}.role-id`);
      expect(hcl).toContain(`/openbao/approle/${role}.secret-id`);
      expect(setup).toMatch(new RegExp(`for role in [^;]*\\b${role}\\b`));
    }
    // No other policy reaches the snapshot endpoints; no policy anywhere grants a wildcard.
    const snapshotGrants = [...hcl.matchAll(/path "sys\/storage\/raft\/snapshot[^"]*"/g)].map((match) => match[0]);
    expect(snapshotGrants).toEqual(['path "sys/storage/raft/snapshot"', 'path "sys/storage/raft/snapshot-force"']);
    expect(hcl).not.toMatch(/path "[^"]*\*"/);
  });
});
