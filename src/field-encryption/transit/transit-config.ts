/**
 * How a transit backend is configured: the module's own types. The app's configuration loader
 * (src/config.ts) builds these from the environment; the module never reads the environment itself.
 */

export interface TransitBatchingConfig {
  batchSize: number;
  concurrency: number;
  enabled: boolean;
  /** Without batching: calls go one after another instead of all at once (for comparison only). */
  sequential?: boolean;
  windowMs: number;
}

export interface VaultTransitConfig {
  kind: 'vault';
  /** The first node's address (where `transit setup` and the tests go first). */
  address: string;
  /** Every node of the cluster; requests move on to the next one when a node is down or sealed. */
  addresses: string[];
  mount: string;
  /** The KV v2 mount and secret path where the reveal record's head is checkpointed. */
  anchor: { mount: string; path: string };
  namespace: string | undefined;
  auth: { method: 'token'; token: string } | { method: 'approle'; roleId: string; secretId: string };
  /** Where AppRole is (or is to be) enabled: the API logs in there, `transit setup` creates its roles there. */
  approleMount: string;
  tls: { caCertFile: string | undefined; clientCertFile: string | undefined; clientKeyFile: string | undefined };
  timeoutMs: number;
  retries: number;
  /** The server's cap on strings in one JSON request body (OpenBao's max_request_json_strings). */
  maxRequestJsonStrings: number;
  allowRootToken: boolean;
  batching: TransitBatchingConfig;
}

export interface EmbeddedTransitConfig {
  kind: 'embedded';
  keyDir: string | undefined;
  masterKey: Buffer | undefined;
  masterKeyFile: string | undefined;
  batching: TransitBatchingConfig;
}

export type TransitConfig = VaultTransitConfig | EmbeddedTransitConfig;
