import type { RecordAnchor } from './record-anchor.ts';

/**
 * The one interface every transit backend implements (Vault/OpenBao over HTTP, or the embedded
 * engine). Batch operations answer in input order, one result per item, each a value or its own error.
 */
export interface Transit {
  readonly kind: 'vault' | 'embedded';
  /** A short description for logs and the test banner, e.g. "OpenBao 2.7.2 at http://127.0.0.1:8200". */
  describe(): Promise<string>;
  encrypt(key: string, items: readonly EncryptItem[]): Promise<TransitResult<string>[]>;
  decrypt(key: string, items: readonly DecryptItem[]): Promise<TransitResult<Buffer>[]>;
  rewrap(key: string, items: readonly DecryptItem[]): Promise<TransitResult<string>[]>;
  /** HMAC-SHA256 under the key's latest version, or under `version` (Vault's `key_version`, one per call). */
  hmac(key: string, items: readonly HmacItem[], options?: HmacOptions): Promise<TransitResult<string>[]>;
  createKey(key: string, options?: KeyOptions): Promise<void>;
  readKey(key: string): Promise<KeyInfo>;
  rotateKey(key: string): Promise<KeyInfo>;
  configureKey(key: string, settings: KeySettings): Promise<KeyInfo>;
  /** Where the reveal record's head is checkpointed, out of a database writer's reach (one per backend). */
  anchor(): RecordAnchor;
  /** Enables the transit engine (and the anchor's store) where that is a separate step (Vault); true when it was missing. */
  ensureEngine(): Promise<boolean>;
  /** Resolves when the backend can serve requests; rejects with a TransitError otherwise. */
  health(): Promise<void>;
  close(): Promise<void>;
}

export interface EncryptItem {
  plaintext: Buffer;
  /** For derived keys: the bytes the per-value key is derived from (the record's identity). */
  context?: Buffer;
}

export interface DecryptItem {
  ciphertext: string;
  /** For derived keys: the context the value was encrypted with. */
  context?: Buffer;
}

export interface KeyOptions {
  /** Derived key (Vault `derived: true`, HKDF-SHA256): every operation needs a context. */
  derived?: boolean;
}

export interface HmacItem {
  input: Buffer;
}

export interface HmacOptions {
  /**
   * The key version whose HMAC key to use; the latest unless given. One per call: OpenBao's
   * `transit/hmac` takes `key_version` for the whole request, not per batch item.
   */
  version?: number;
}

export interface KeyInfo {
  name: string;
  type: string;
  /** Each value's key is derived from its context (the record it is bound to). */
  derived: boolean;
  /** Vault's `exportable`: the key material can be read out through `transit/export`. */
  exportable: boolean;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  /** Creation time of each live version, by version number. */
  versions: Record<number, Date>;
}

export interface KeySettings {
  minDecryptionVersion?: number;
  minEncryptionVersion?: number;
}

export type TransitResult<T> = { ok: true; value: T } | { ok: false; error: TransitError };

export type TransitErrorCode =
  /** Not of the form vault:v<N>:<base64>. */
  | 'MALFORMED_CIPHERTEXT'
  /** Failed authentication: tampered with, or encrypted under another key. */
  | 'INVALID_CIPHERTEXT'
  /** Version older than the key's min_decryption_version (retired). */
  | 'VERSION_RETIRED'
  /** Version newer than the key holds. */
  | 'VERSION_UNKNOWN'
  | 'KEY_NOT_FOUND'
  /** A request the backend refused as invalid (bad argument, version out of range). */
  | 'INVALID_REQUEST'
  /** The credentials do not allow this operation (HTTP 403). */
  | 'FORBIDDEN'
  /** Sealed, down, timed out, or answering 5xx. */
  | 'UNAVAILABLE';

/** A transit failure that names its cause and never carries plaintext. */
export class TransitError extends Error {
  override name = 'TransitError';
  constructor(
    readonly code: TransitErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether the failure concerns one item (bad ciphertext) rather than the backend itself. */
  get isItemError(): boolean {
    return ['MALFORMED_CIPHERTEXT', 'INVALID_CIPHERTEXT', 'VERSION_RETIRED', 'VERSION_UNKNOWN'].includes(this.code);
  }
}

export function ok<T>(value: T): TransitResult<T> {
  return { ok: true, value };
}

export function failed<T>(error: TransitError): TransitResult<T> {
  return { ok: false, error };
}

/** The values of a batch of `count` items that must all have succeeded: the first failure is thrown. */
export function valuesOf<T>(results: readonly TransitResult<T>[], count: number): T[] {
  if (results.length !== count)
    throw new TransitError('UNAVAILABLE', `transit answered ${results.length} of ${count} items`);
  return results.map((result) => {
    if (!result.ok) throw result.error;
    return result.value;
  });
}
