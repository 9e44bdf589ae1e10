import fs from 'node:fs';
import { REVEAL_SEAL_KEY, transitKeysOf } from '../../encryption-declarations.ts';
import {
  type AppRoleCredentials,
  blindIndexKeysOf,
  ensureKeys,
  RevealLedger,
  refuseMissingKeyMaterial,
  VaultSession,
  writeLeastPrivilege,
} from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { TransitCommand } from './commands.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';
import { withKeyAdmin } from './with-key-admin.ts';

export const setup: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.setup,
  needsAdminToken: true,
  usesDatabase: (config) => config.transit.kind === 'embedded',
  run: async (input) => {
    const { config, transit, flags, io } = input;
    if (await transit.ensureEngine()) io.out('enabled the transit secrets engine');
    const keySpecs = transitKeysOf(input.schema);
    const keys = new Set(keySpecs.keys());
    const indexKeys = blindIndexKeysOf(input.schema);
    if (config.transit.kind !== 'vault') {
      // Only where no stored value uses a key name may a key of that name be created.
      const created = await withKeyAdmin(input, async (keyAdmin, database) => {
        const seals = new RevealLedger(database.db, transit, REVEAL_SEAL_KEY);
        await refuseMissingKeyMaterial(transit, keyAdmin, [seals.sealKeyUse()]);
        return ensureKeys(transit, keySpecs, { create: true });
      });
      for (const key of keys) io.out(`key ${key}: ${created.includes(key) ? 'created' : 'already present'}`);
      io.out('embedded transit engine: it has no policies or AppRole; the API uses the keys directly');
      return 0;
    }
    const created = await ensureKeys(transit, keySpecs, { create: true });
    for (const key of keys) io.out(`key ${key}: ${created.includes(key) ? 'created' : 'already present'}`);
    const session = new VaultSession({ ...config.transit, allowRootToken: true });
    try {
      const credentials = await writeLeastPrivilege(session, {
        transitMount: config.transit.mount,
        anchor: config.transit.anchor,
        approleMount: config.transit.approleMount,
        keys: [...keys].filter((key) => !indexKeys.has(key)),
        indexKeys,
        sealKey: REVEAL_SEAL_KEY,
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
