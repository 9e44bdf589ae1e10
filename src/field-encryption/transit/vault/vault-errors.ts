import { TransitError, type TransitErrorCode } from '../transit.ts';

/** A failure worth retrying: the connection broke or Vault said it is briefly unable (502/503/504). */
export class TransientVaultError extends TransitError {
  override name = 'TransientVaultError';
}

interface VaultResponseError {
  message: string;
  response: { statusCode: number; body: unknown };
}

interface NetworkError {
  code?: string;
  message: string;
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

export function isVaultResponseError(error: unknown): error is VaultResponseError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'response' in error &&
    typeof (error as VaultResponseError).response?.statusCode === 'number'
  );
}

/** The item-level message Vault gives for one failed batch item, as a typed error. */
export function itemError(message: string): TransitError {
  return new TransitError(itemErrorCode(message), `vault: ${message}`);
}

function itemErrorCode(message: string): TransitErrorCode {
  if (message.includes('disallowed by policy (too old)')) return 'VERSION_RETIRED';
  if (message.includes('version is too new') || message.includes('invalid key version')) return 'VERSION_UNKNOWN';
  if (message.includes('message authentication failed')) return 'INVALID_CIPHERTEXT';
  if (message.includes('invalid ciphertext')) return 'MALFORMED_CIPHERTEXT';
  if (message.includes('key not found') || /no existing key named .* could be found/.test(message)) {
    return 'KEY_NOT_FOUND';
  }
  return 'INVALID_REQUEST';
}

/** Turns whatever node-vault rejected with into a typed error that says what went wrong. */
export function classifyVaultError(
  error: unknown,
  context: { operation: string; address: string; timeoutMs: number },
): TransitError {
  const { operation, address } = context;
  if (isVaultResponseError(error)) {
    const status = error.response.statusCode;
    const message = error.message;
    if (status === 403) {
      return new TransitError('FORBIDDEN', `vault refused ${operation}: permission denied (check the token's policy)`);
    }
    if (status === 404)
      return new TransitError('KEY_NOT_FOUND', `vault: ${operation} found nothing (key or mount missing)`, {
        cause: error,
      });
    if (status === 503 && /sealed/i.test(message)) {
      return new TransientVaultError('UNAVAILABLE', `vault at ${address} is sealed`);
    }
    if (status === 502 || status === 503 || status === 504) {
      return new TransientVaultError('UNAVAILABLE', `vault at ${address} answered ${status} to ${operation}`);
    }
    if (status >= 500)
      return new TransitError('UNAVAILABLE', `vault at ${address} failed ${operation} (HTTP ${status})`);
    if (status === 429)
      return new TransientVaultError('UNAVAILABLE', `vault at ${address} is rate limiting ${operation}`);
    const code = itemErrorCode(message);
    return new TransitError(
      code === 'INVALID_REQUEST' ? 'INVALID_REQUEST' : code,
      `vault refused ${operation}: ${message}`,
    );
  }
  const network = error as NetworkError;
  const code = network?.code ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(network?.message ?? '')) {
    return new TransitError(
      'UNAVAILABLE',
      `vault at ${address} did not answer ${operation} within ${context.timeoutMs} ms`,
    );
  }
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|SSL|TLS/i.test(network?.message ?? '')) {
    return new TransitError(
      'UNAVAILABLE',
      `TLS to vault at ${address} failed: ${network.message} (check VAULT_CACERT and the server certificate)`,
    );
  }
  if (TRANSIENT_NETWORK_CODES.has(code) || /socket hang up/i.test(network?.message ?? '')) {
    return new TransientVaultError('UNAVAILABLE', `vault at ${address} is unreachable (${code || network.message})`);
  }
  return new TransitError('UNAVAILABLE', `vault ${operation} failed: ${network?.message ?? String(error)}`);
}
