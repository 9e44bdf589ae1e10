import { encryptionKeysOf } from '../../directives/encrypted.ts';
import { buildSchema } from '../../graphql/build-schema.ts';
import { ensureKeys } from '../../transit/ensure-keys.ts';
import type { TransitCommand } from './commands.ts';

export const setup: TransitCommand = {
  usage: '',
  summary: 'enable the transit engine if missing and create the keys the schema uses (idempotent)',
  run: async ({ transit }) => {
    if (await transit.ensureEngine()) console.log('enabled the transit secrets engine');
    const keys = encryptionKeysOf(buildSchema());
    const created = await ensureKeys(transit, keys, { create: true });
    for (const key of keys) console.log(`key ${key}: ${created.includes(key) ? 'created' : 'already present'}`);
    return 0;
  },
};
