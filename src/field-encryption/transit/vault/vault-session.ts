import fs from 'node:fs';
import nodeVault from 'node-vault';
import pRetry from 'p-retry';
import type { TransitConfig } from '../../../config.ts';
import { TransitError } from '../transit.ts';
import { classifyVaultError, isVaultResponseError, TransientVaultError } from './vault-errors.ts';

type VaultConfig = Extract<TransitConfig, { kind: 'vault' }>;
type Method = 'GET' | 'POST';

export interface VaultSessionOptions {
  /** Called for every HTTP request sent, retries included (metrics, tests). */
  onRequest?: (path: string) => void;
}

/**
 * An authenticated connection to Vault/OpenBao: TLS options, request timeout, retries with backoff
 * for transient failures only, and a token that is renewed (or re-obtained through AppRole) before
 * it expires.
 */
export class VaultSession {
  readonly client: nodeVault.client;
  private loggedIn: Promise<void> | undefined;
  /** The TTL of a freshly issued token; a renewal granting less has reached the token's max TTL. */
  private issuedTtl = 0;

  constructor(
    readonly config: VaultConfig,
    private readonly options: VaultSessionOptions = {},
  ) {
    this.client = nodeVault({
      apiVersion: 'v1',
      endpoint: config.address,
      namespace: config.namespace,
      token: config.auth.method === 'token' ? config.auth.token : undefined,
      requestOptions: { timeout: config.timeoutMs, ...tlsOptions(config) },
    });
    this.client.on('token:expired', () => this.relogin());
    this.client.on('token:renewed', (result: { auth?: { lease_duration?: number } }) => {
      if ((result.auth?.lease_duration ?? 0) < this.issuedTtl) this.relogin();
    });
    this.client.on('token:error:renew', () => this.relogin());
  }

  /** Sends one request; a 400 carrying batch_results is returned as the partial answer it is. */
  async request<T>(method: Method, path: string, body?: unknown, operation = path): Promise<T> {
    await this.login();
    return pRetry(
      async () => {
        this.options.onRequest?.(path);
        try {
          // client.request skips the client's requestOptions, so the timeout must be given per call.
          const options = { method, path, json: body ?? {}, timeout: this.config.timeoutMs };
          return (await this.client.request(options)) as T;
        } catch (error) {
          if (
            isVaultResponseError(error) &&
            error.response.statusCode === 400 &&
            hasBatchResults(error.response.body)
          ) {
            return error.response.body as T;
          }
          throw classifyVaultError(error, {
            operation,
            address: this.config.address,
            timeoutMs: this.config.timeoutMs,
          });
        }
      },
      {
        retries: this.config.retries,
        minTimeout: 100,
        maxTimeout: 1_000,
        factor: 2,
        shouldRetry: ({ error }) => error instanceof TransientVaultError,
      },
    );
  }

  /** Logs in once (AppRole), checks the token, and starts renewing it. */
  login(): Promise<void> {
    this.loggedIn ??= this.authenticate().catch((error: unknown) => {
      this.loggedIn = undefined;
      throw error;
    });
    return this.loggedIn;
  }

  close(): void {
    this.client.stopTokenRenewal();
  }

  private relogin(): void {
    if (this.config.auth.method !== 'approle') return;
    this.loggedIn = undefined;
    void this.login().catch(() => {
      // The next request retries the login and reports its failure to the caller.
    });
  }

  private async authenticate(): Promise<void> {
    const context = { address: this.config.address, timeoutMs: this.config.timeoutMs };
    const { auth } = this.config;
    if (auth.method === 'approle') {
      try {
        await this.client.approleLogin({
          mount_point: this.config.approleMount,
          role_id: auth.roleId,
          secret_id: auth.secretId,
        });
      } catch (error) {
        throw classifyVaultError(error, { ...context, operation: 'AppRole login' });
      }
    }
    let self: { data?: { policies?: string[]; ttl?: number; renewable?: boolean } };
    try {
      self = await this.client.tokenLookupSelf();
    } catch (error) {
      const classified = classifyVaultError(error, { ...context, operation: 'token lookup' });
      if (classified.code === 'FORBIDDEN') {
        throw new TransitError('FORBIDDEN', `vault at ${this.config.address} rejected the token (invalid or expired)`);
      }
      throw classified;
    }
    if (self.data?.policies?.includes('root') === true && !this.config.allowRootToken) {
      throw new TransitError(
        'FORBIDDEN',
        'refusing to run on a Vault root token: use AppRole credentials from `npm run transit -- setup`, or set ALLOW_ROOT_TOKEN=true for development',
      );
    }
    if ((self.data?.ttl ?? 0) > 0 && self.data?.renewable === true) {
      this.issuedTtl = self.data.ttl ?? 0;
      await this.client.startTokenRenewal({ ttl: self.data.ttl });
    }
  }
}

function hasBatchResults(body: unknown): boolean {
  return Array.isArray((body as { data?: { batch_results?: unknown } } | undefined)?.data?.batch_results);
}

function tlsOptions(config: VaultConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (variable: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new TransitError('UNAVAILABLE', `${variable} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  const options: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const ca = read('VAULT_CACERT', config.tls.caCertFile);
  const cert = read('VAULT_CLIENT_CERT', config.tls.clientCertFile);
  const key = read('VAULT_CLIENT_KEY', config.tls.clientKeyFile);
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  return options;
}
