import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedTransit } from './embedded/embedded-transit.ts';
import { FileAnchor } from './embedded/file-anchor.ts';
import { KeyringStore } from './embedded/keyring-store.ts';
import { loadMasterKey } from './embedded/master-key.ts';
import { type Transit, TransitError } from './transit.ts';
import type { EmbeddedTransitConfig, TransitConfig } from './transit-config.ts';
import { VaultSession, type VaultSessionOptions } from './vault/vault-session.ts';
import { VaultTransit } from './vault/vault-transit.ts';

/** The transit backend the configuration asks for: Vault/OpenBao when VAULT_ADDR is set, else embedded. */
export function createTransit(config: TransitConfig, options: VaultSessionOptions = {}): Transit {
  if (config.kind === 'vault') {
    return new VaultTransit(new VaultSession(config, options), config.batching);
  }
  refuseNewMasterKeyOverKeyring(config);
  const masterKey = loadMasterKey({
    masterKey: config.masterKey,
    masterKeyFile: config.keyDir === undefined ? undefined : config.masterKeyFile,
  });
  return new EmbeddedTransit(
    new KeyringStore(config.keyDir, masterKey),
    config.keyDir ?? 'in memory',
    new FileAnchor(config.keyDir),
  );
}

/** A keyring without its master key is unreadable; a new master key would only hide that. */
function refuseNewMasterKeyOverKeyring(config: EmbeddedTransitConfig): void {
  if (config.keyDir === undefined || config.masterKey !== undefined || config.masterKeyFile === undefined) return;
  const keyring = path.join(config.keyDir, 'keyring.json');
  if (fs.existsSync(keyring) && !fs.existsSync(config.masterKeyFile)) {
    throw new TransitError(
      'UNAVAILABLE',
      `master key file ${config.masterKeyFile} is missing but keyring ${keyring} exists: restore the master key it was written with (or point TRANSIT_MASTER_KEY_FILE at it)`,
    );
  }
}
