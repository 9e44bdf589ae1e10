import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type nodeVault from 'node-vault';
import pRetry from 'p-retry';
import { TransitError } from '../transit.ts';
import type { VaultTransitConfig } from '../transit-config.ts';
import { classifyVaultError, isVaultResponseError, TransientVaultError } from './vault-errors.ts';
import { type VaultNode, VaultNodes } from './vault-nodes.ts';

// node-vault (CommonJS) is loaded when a session opens rather than with this module: it takes some 0.2 s,
// which every command that merely imports the transit code (its --help too) would otherwise pay.
const require = createRequire(import.meta.url);

type Method = 'GET' | 'POST' | 'DELETE';

export interface VaultSessionOptions {
  /** Called for every HTTP request sent, retries included (metrics, tests). */
  onRequest?: (path: string) => void;
}

/**
 * An authenticated connection to Vault/OpenBao: TLS options, request timeout, failover between the
 * cluster's nodes, retries with backoff for transient failures only, and a token that is renewed
 * (or re-obtained through AppRole) before it expires.
 */
export class VaultSession {
  readonly nodes: VaultNodes;
  /** Keep-alive connections for node-vault's requests: a page's few large batches reuse their sockets. */
  private readonly agents: { httpAgent: http.Agent; httpsAgent: https.Agent };
  /** The client whose token node-vault renews (the node that logged in). */
  private renewing: nodeVault.client | undefined;
  private loggedIn: Promise<void> | undefined;
  /** The TTL of a freshly issued token; a renewal granting less has reached the token's max TTL. */
  private issuedTtl = 0;

  constructor(
    readonly config: VaultTransitConfig,
    private readonly options: VaultSessionOptions = {},
  ) {
    const tls = tlsOptions(config);
    this.agents = {
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true, ...tls }),
    };
    const createClient = require('node-vault') as typeof nodeVault;
    this.nodes = new VaultNodes(
      config.addresses.map((address) => {
        const client = createClient({
          apiVersion: 'v1',
          endpoint: address,
          namespace: config.namespace,
          token: config.auth.method === 'token' ? config.auth.token : undefined,
          requestOptions: { timeout: config.timeoutMs, ...tls },
        });
        client.on('token:expired', () => this.relogin());
        client.on('token:renewed', (result: { auth?: { lease_duration?: number } }) => {
          if ((result.auth?.lease_duration ?? 0) < this.issuedTtl) this.relogin();
        });
        client.on('token:error:renew', () => this.relogin());
        return { address, client };
      }),
    );
  }

  /** Health of the first node that serves (unsealed, active or standby); UNAVAILABLE when none does. */
  async health(): Promise<{ version?: string; address: string }> {
    return this.nodes.onAnyNode(
      async ({ address, client }) => {
        const health = (await client.health({ standbyok: true, perfstandbyok: true })) as {
          sealed?: boolean;
          initialized?: boolean;
          version?: string;
        };
        if (health.initialized === false)
          throw new TransientVaultError('UNAVAILABLE', `vault at ${address} is not initialized`);
        if (health.sealed === true) throw new TransientVaultError('UNAVAILABLE', `vault at ${address} is sealed`);
        return { version: health.version, address };
      },
      (error, node) => this.classify(error, node, 'health check'),
    );
  }

  /**
   * Sends one request; a 400 carrying batch_results is returned as the partial answer it is. On AppRole,
   * a 403 met by a token that no longer exists (expired between renewals on a busy machine, or revoked
   * by an operator) is answered by one new login and one retry; a 403 from the policy stands.
   */
  async request<T>(method: Method, path: string, body?: unknown, operation = path): Promise<T> {
    const session = this.login();
    await session;
    try {
      return await this.send<T>(method, path, body, operation);
    } catch (error) {
      if (!(error instanceof TransitError && error.code === 'FORBIDDEN') || this.config.auth.method !== 'approle') {
        throw error;
      }
      if (await this.tokenIsValid()) throw error;
      if (this.loggedIn === session) this.loggedIn = undefined;
      await this.login();
      return this.send<T>(method, path, body, operation);
    }
  }

  private async tokenIsValid(): Promise<boolean> {
    try {
      await this.nodes.onAnyNode(
        ({ client }) => client.tokenLookupSelf() as Promise<unknown>,
        (error, node) => this.classify(error, node, 'token lookup'),
      );
      return true;
    } catch (error) {
      if (error instanceof TransitError && error.code === 'FORBIDDEN') return false;
      throw error;
    }
  }

  private send<T>(method: Method, path: string, body: unknown, operation: string): Promise<T> {
    return pRetry(
      () =>
        this.nodes.onAnyNode(
          async ({ client }) => {
            this.options.onRequest?.(path);
            try {
              // client.request skips the client's requestOptions, so timeout and agents are given per call.
              const options = { method, path, json: body ?? {}, timeout: this.config.timeoutMs, ...this.agents };
              return await withinTimeout(client.request(options) as Promise<T>, this.config.timeoutMs);
            } catch (error) {
              if (
                isVaultResponseError(error) &&
                error.response.statusCode === 400 &&
                hasBatchResults(error.response.body)
              ) {
                return error.response.body as T;
              }
              throw error;
            }
          },
          (error, node) => this.classify(error, node, operation),
        ),
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
    this.renewing?.stopTokenRenewal();
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  private classify(error: unknown, node: VaultNode, operation: string): TransitError {
    return classifyVaultError(error, { operation, address: node.address, timeoutMs: this.config.timeoutMs });
  }

  private relogin(): void {
    if (this.config.auth.method !== 'approle') return;
    this.loggedIn = undefined;
    void this.login().catch(() => {
      // The next request retries the login and reports its failure to the caller.
    });
  }

  private async authenticate(): Promise<void> {
    const { auth } = this.config;
    if (auth.method === 'approle') {
      const login = await this.nodes.onAnyNode(
        ({ client }) =>
          client.approleLogin({
            mount_point: this.config.approleMount,
            role_id: auth.roleId,
            secret_id: auth.secretId,
          }) as Promise<{ auth: { client_token: string } }>,
        (error, node) => this.classify(error, node, 'AppRole login'),
      );
      this.nodes.setToken(login.auth.client_token);
    }
    const { self, node } = await this.nodes.onAnyNode(
      async (candidate) => ({
        self: (await candidate.client.tokenLookupSelf()) as {
          data?: { policies?: string[]; ttl?: number; renewable?: boolean };
        },
        node: candidate,
      }),
      (error, candidate) => {
        const classified = this.classify(error, candidate, 'token lookup');
        if (classified.code === 'FORBIDDEN') {
          return new TransitError('FORBIDDEN', `vault at ${candidate.address} rejected the token (invalid or expired)`);
        }
        return classified;
      },
    );
    if (self.data?.policies?.includes('root') === true && !this.config.allowRootToken) {
      throw new TransitError(
        'FORBIDDEN',
        'refusing to run on a Vault root token: use AppRole credentials from `npm run transit -- setup`, or set ALLOW_ROOT_TOKEN=true for development',
      );
    }
    if ((self.data?.ttl ?? 0) > 0 && self.data?.renewable === true) {
      this.issuedTtl = self.data.ttl ?? 0;
      this.renewing?.stopTokenRenewal();
      this.renewing = node.client;
      await node.client.startTokenRenewal({ ttl: self.data.ttl });
    }
  }
}

function hasBatchResults(body: unknown): boolean {
  return Array.isArray((body as { data?: { batch_results?: unknown } } | undefined)?.data?.batch_results);
}

/**
 * The whole exchange within the timeout: axios's own timeout only bounds the socket's idle time, so an
 * answer dripped byte by byte would otherwise hold the caller for as long as the server likes.
 */
function withinTimeout<T>(request: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`timeout of ${timeoutMs} ms exceeded`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
  });
  return Promise.race([request, deadline]).finally(() => clearTimeout(timer));
}

export function tlsOptions(config: VaultTransitConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
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
