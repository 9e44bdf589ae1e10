import fs from 'node:fs';
import { encryptionKeysOf } from '../../directives/encrypted.ts';
import { buildSchema } from '../../graphql/build-schema.ts';
import { refuseMissingKeyMaterial } from '../../keys/missing-key-material.ts';
import { storedCiphertextsByKey } from '../../keys/stored-ciphertexts.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { ensureKeys } from '../../transit/ensure-keys.ts';
import { type AppRoleCredentials, writeLeastPrivilege } from '../../transit/vault/least-privilege.ts';
import { VaultSession } from '../../transit/vault/vault-session.ts';
import type { TransitCommand } from './commands.ts';

export const setup: TransitCommand = {
  usage: '[--out file] [--token-ttl 1h] [--token-max-ttl 24h]',
  summary: 'enable transit, create the schema’s keys, write least-privilege policies and AppRole roles (idempotent)',
  needsAdminToken: true,
  usesDatabase: (config) => config.transit.kind === 'embedded',
  run: async ({ config, transit, flags, io, withDatabase }) => {
    if (await transit.ensureEngine()) io.out('enabled the transit secrets engine');
    const keys = encryptionKeysOf(buildSchema());
    if (config.transit.kind !== 'vault') {
      // Only where no stored value uses a key name may a key of that name be created.
      const created = await withDatabase(async (database) => {
        await refuseMissingKeyMaterial(transit, keys, storedCiphertextsByKey(database.db));
        return ensureKeys(transit, keys, { create: true });
      });
      for (const key of keys) io.out(`key ${key}: ${created.includes(key) ? 'created' : 'already present'}`);
      io.out('embedded transit engine: it has no policies or AppRole; the API uses the keys directly');
      return 0;
    }
    const created = await ensureKeys(transit, keys, { create: true });
    for (const key of keys) io.out(`key ${key}: ${created.includes(key) ? 'created' : 'already present'}`);
    const session = new VaultSession({ ...config.transit, allowRootToken: true });
    try {
      const credentials = await writeLeastPrivilege(session, {
        transitMount: config.transit.mount,
        approleMount: config.transit.approleMount,
        keys,
        tokenTtl: stringFlag(flags['token-ttl'], '1h'),
        tokenMaxTtl: stringFlag(flags['token-max-ttl'], '24h'),
      });
      report(io, credentials, typeof flags.out === 'string' ? flags.out : undefined);
    } finally {
      session.close();
    }
    return 0;
  },
};

function stringFlag(value: string | boolean | undefined, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function report(io: Io, credentials: AppRoleCredentials[], out: string | undefined): void {
  for (const { role, policy } of credentials) io.out(`policy ${policy} and AppRole role ${role}: written`);
  if (out !== undefined) {
    const byRole = Object.fromEntries(credentials.map(({ role, roleId, secretId }) => [role, { roleId, secretId }]));
    fs.writeFileSync(out, `${JSON.stringify(byRole, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(out, 0o600);
    io.out(`role-id and secret-id of each role written to ${out} (mode 0600)`);
    return;
  }
  for (const { role, roleId, secretId } of credentials) {
    io.out(`\n# ${role}\nVAULT_ROLE_ID=${roleId}\nVAULT_SECRET_ID=${secretId}`);
  }
}
