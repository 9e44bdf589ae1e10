import type { TransitConfig } from '../../config.ts';
import { EmbeddedTransit } from './embedded/embedded-transit.ts';
import { KeyringStore } from './embedded/keyring-store.ts';
import { loadMasterKey } from './embedded/master-key.ts';
import type { Transit } from './transit.ts';
import { VaultSession, type VaultSessionOptions } from './vault/vault-session.ts';
import { VaultTransit } from './vault/vault-transit.ts';

/** The transit backend the configuration asks for: Vault/OpenBao when VAULT_ADDR is set, else embedded. */
export function createTransit(config: TransitConfig, options: VaultSessionOptions = {}): Transit {
  if (config.kind === 'vault') {
    return new VaultTransit(new VaultSession(config, options), config.batching);
  }
  const masterKey = loadMasterKey({
    masterKey: config.masterKey,
    masterKeyFile: config.keyDir === undefined ? undefined : config.masterKeyFile,
  });
  return new EmbeddedTransit(new KeyringStore(config.keyDir, masterKey), config.keyDir ?? 'in memory');
}
