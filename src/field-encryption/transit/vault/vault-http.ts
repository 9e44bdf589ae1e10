import http from 'node:http';
import https from 'node:https';

export interface VaultHttpOptions {
  timeoutMs: number;
  namespace: string | undefined;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/** What a non-2xx answer rejects with: the shape `classifyVaultError` reads (as node-vault's errors). */
export class VaultResponseError extends Error {
  override name = 'VaultResponseError';
  constructor(
    message: string,
    readonly response: { statusCode: number; body: unknown },
  ) {
    super(message);
  }
}

/**
 * One JSON request to Vault/OpenBao over a keep-alive connection (node:http/https), answered with the
 * parsed body. The transit hot path sends a few large batch bodies per page: a general HTTP client's
 * per-request machinery (schema validation, interceptors, redirect following) only adds to the floor.
 * Network failures reject with node's own errors (their `code` names the cause); a request not
 * answered in full within the timeout rejects with code ETIMEDOUT.
 */
export class VaultHttp {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: VaultHttpOptions) {
    this.httpsAgent = new https.Agent({ keepAlive: true, ...options.tls });
  }

  send<T>(address: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
    const url = new URL(`${address.replace(/\/$/, '')}/v1${path}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (token !== undefined && token !== '') headers['x-vault-token'] = token;
    if (this.options.namespace !== undefined && this.options.namespace !== '') {
      headers['x-vault-namespace'] = this.options.namespace;
    }
    const secure = url.protocol === 'https:';
    return new Promise<T>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        { method, headers, agent: secure ? this.httpsAgent : this.httpAgent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            clearTimeout(timer);
            const status = response.statusCode ?? 0;
            let parsed: unknown;
            try {
              const text = Buffer.concat(chunks).toString('utf8');
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (status === 200 || status === 204) resolve(parsed as T);
            else
              reject(
                new VaultResponseError(firstError(parsed) ?? `Status ${status}`, { statusCode: status, body: parsed }),
              );
          });
        },
      );
      // The whole exchange, not the socket's idle time: a server answering drop by drop times out too.
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`timeout of ${this.options.timeoutMs} ms exceeded`), {
          code: 'ETIMEDOUT',
        });
        request.destroy(error);
      }, this.options.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(payload);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function firstError(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) && typeof errors[0] === 'string' ? errors[0] : undefined;
}
