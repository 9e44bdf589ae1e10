import type { EmbeddedTransitConfig, TransitBatchingConfig, VaultTransitConfig } from './transit-config.ts';

/** 250 values per transit request, 4 requests at once, no waiting window. */
export const DEFAULT_BATCHING: TransitBatchingConfig = { batchSize: 250, concurrency: 4, enabled: true, windowMs: 0 };

/** What a Vault/OpenBao backend needs to be told; the rest takes the defaults the card app's configuration has. */
export type VaultTransitOptions = Pick<VaultTransitConfig, 'address' | 'auth'> &
  Partial<Omit<VaultTransitConfig, 'kind' | 'address' | 'auth' | 'anchor' | 'tls' | 'batching'>> & {
    anchor?: Partial<VaultTransitConfig['anchor']>;
    tls?: Partial<VaultTransitConfig['tls']>;
    batching?: Partial<TransitBatchingConfig>;
  };

/** A complete Vault/OpenBao transit configuration: mount `transit`, its reveal-record checkpoint in `<mount>-anchor`. */
export function vaultTransitConfig(options: VaultTransitOptions): VaultTransitConfig {
  const mount = options.mount ?? 'transit';
  return {
    kind: 'vault',
    address: options.address,
    addresses: options.addresses ?? [options.address],
    mount,
    anchor: { mount: options.anchor?.mount ?? `${mount}-anchor`, path: options.anchor?.path ?? 'reveal-record' },
    namespace: options.namespace,
    auth: options.auth,
    approleMount: options.approleMount ?? 'approle',
    tls: {
      caCertFile: options.tls?.caCertFile,
      clientCertFile: options.tls?.clientCertFile,
      clientKeyFile: options.tls?.clientKeyFile,
    },
    timeoutMs: options.timeoutMs ?? 5_000,
    retries: options.retries ?? 3,
    maxRequestJsonStrings: options.maxRequestJsonStrings ?? 1000,
    allowRootToken: options.allowRootToken ?? false,
    batching: { ...DEFAULT_BATCHING, ...options.batching },
  };
}

/** The embedded engine: its keyring in `keyDir` (sealed by the master key), or in memory when no directory is given. */
export function embeddedTransitConfig(
  options: Partial<Omit<EmbeddedTransitConfig, 'kind' | 'batching'>> & {
    batching?: Partial<TransitBatchingConfig>;
  } = {},
): EmbeddedTransitConfig {
  return {
    kind: 'embedded',
    keyDir: options.keyDir,
    masterKey: options.masterKey,
    masterKeyFile: options.masterKeyFile,
    batching: { ...DEFAULT_BATCHING, ...options.batching },
  };
}
