import fs from 'node:fs';
import {
  type AppRoleCredentials,
  encryptionKeysOf,
  ensureKeys,
  VaultSession,
  writeLeastPrivilege,
} from '../../field-encryption/index.ts';
import type { TransitCommand } from './commands.ts';

export const setup: TransitCommand = {
  usage: '[--out file] [--token-ttl 1h] [--token-max-ttl 24h]',
  summary: 'enable transit, create the schema’s keys, write least-privilege policies and AppRole roles (idempotent)',
  needsAdminToken: true,
  run: async ({ config, transit, schema, flags }) => {
    if (await transit.ensureEngine()) console.log('enabled the transit secrets engine');
    const keySpecs = encryptionKeysOf(schema);
    const keys = new Set(keySpecs.keys());
    const created = await ensureKeys(transit, keySpecs, { create: true });
    for (const key of keys) console.log(`key ${key}: ${created.includes(key) ? 'created' : 'already present'}`);
    if (config.transit.kind !== 'vault') {
      console.log('embedded transit engine: it has no policies or AppRole; the API uses the keys directly');
      return 0;
    }
    const session = new VaultSession({ ...config.transit, allowRootToken: true });
    try {
      const credentials = await writeLeastPrivilege(session, {
        transitMount: config.transit.mount,
        approleMount: config.transit.approleMount,
        keys,
        tokenTtl: stringFlag(flags['token-ttl'], '1h'),
        tokenMaxTtl: stringFlag(flags['token-max-ttl'], '24h'),
      });
      report(credentials, typeof flags.out === 'string' ? flags.out : undefined);
    } finally {
      session.close();
    }
    return 0;
  },
};

function stringFlag(value: string | boolean | undefined, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function report(credentials: AppRoleCredentials[], out: string | undefined): void {
  for (const { role, policy } of credentials) console.log(`policy ${policy} and AppRole role ${role}: written`);
  if (out !== undefined) {
    const byRole = Object.fromEntries(credentials.map(({ role, roleId, secretId }) => [role, { roleId, secretId }]));
    fs.writeFileSync(out, `${JSON.stringify(byRole, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(out, 0o600);
    console.log(`role-id and secret-id of each role written to ${out} (mode 0600)`);
    return;
  }
  for (const { role, roleId, secretId } of credentials) {
    console.log(`\n# ${role}\nVAULT_ROLE_ID=${roleId}\nVAULT_SECRET_ID=${secretId}`);
  }
}
