import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { formatCiphertext, parseCiphertext } from '../ciphertext.ts';
import type { RecordAnchor } from '../record-anchor.ts';
import {
  type DecryptItem,
  type EncryptItem,
  failed,
  type HmacItem,
  type HmacOptions,
  type KeyInfo,
  type KeyOptions,
  type KeySettings,
  ok,
  type Transit,
  TransitError,
  type TransitResult,
} from '../transit.ts';
import { FileAnchor } from './file-anchor.ts';
import { type Keyring, type KeyringStore, type KeyVersion, newKeyVersion } from './keyring-store.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Transit engine in-process (node:crypto), for machines without Vault. Speaks the same contract and
 * writes the same ciphertext as Vault's aes256-gcm96 keys: vault:v<N>:base64(nonce ‖ ciphertext ‖ tag).
 */
export class EmbeddedTransit implements Transit {
  readonly kind = 'embedded';

  constructor(
    private readonly store: KeyringStore,
    private readonly location: string,
    private readonly recordAnchor: RecordAnchor = new FileAnchor(undefined),
  ) {}

  anchor(): RecordAnchor {
    return this.recordAnchor;
  }

  async describe(): Promise<string> {
    return `embedded transit engine (${this.location})`;
  }

  async encrypt(key: string, items: readonly EncryptItem[]): Promise<TransitResult<string>[]> {
    const keyring = this.store.require(key);
    const version = this.version(keyring, keyring.latestVersion);
    return items.map((item) => {
      const key = valueKey(keyring, version, item.context);
      return key.ok ? ok(formatCiphertext(keyring.latestVersion, seal(key.value, item.plaintext))) : key;
    });
  }

  async decrypt(key: string, items: readonly DecryptItem[]): Promise<TransitResult<Buffer>[]> {
    const keyring = this.store.require(key);
    return items.map((item) => this.open(keyring, item.ciphertext, item.context));
  }

  async rewrap(key: string, items: readonly DecryptItem[]): Promise<TransitResult<string>[]> {
    const keyring = this.store.require(key);
    const latest = this.version(keyring, keyring.latestVersion);
    return items.map((item) => {
      const opened = this.open(keyring, item.ciphertext, item.context);
      if (!opened.ok) return opened;
      const key = valueKey(keyring, latest, item.context);
      return key.ok ? ok(formatCiphertext(keyring.latestVersion, seal(key.value, opened.value))) : key;
    });
  }

  /** HMAC-SHA256 with the version's HMAC key, written `vault:v<N>:base64` as OpenBao's transit/hmac writes it. */
  async hmac(key: string, items: readonly HmacItem[], options: HmacOptions = {}): Promise<TransitResult<string>[]> {
    const keyring = this.store.require(key);
    const number = hmacVersion(keyring, options.version);
    const version = this.version(keyring, number);
    return items.map((item) =>
      ok(formatCiphertext(number, createHmac('sha256', version.hmacKey).update(item.input).digest())),
    );
  }

  async createKey(key: string, options: KeyOptions = {}): Promise<void> {
    if (!/^[\w-]+$/.test(key)) throw new TransitError('INVALID_REQUEST', `invalid key name "${key}"`);
    this.store.update(
      key,
      (current) =>
        current ?? {
          name: key,
          derived: options.derived === true,
          latestVersion: 1,
          minDecryptionVersion: 1,
          minEncryptionVersion: 0,
          versions: new Map([[1, newKeyVersion()]]),
        },
    );
  }

  async readKey(key: string): Promise<KeyInfo> {
    return info(this.store.require(key));
  }

  async rotateKey(key: string): Promise<KeyInfo> {
    this.store.require(key);
    const next = this.store.update(key, (current) => {
      const keyring = current as Keyring;
      const versions = new Map(keyring.versions);
      versions.set(keyring.latestVersion + 1, newKeyVersion());
      return { ...keyring, latestVersion: keyring.latestVersion + 1, versions };
    });
    return info(next);
  }

  async configureKey(key: string, settings: KeySettings): Promise<KeyInfo> {
    const keyring = this.store.require(key);
    const minDecryptionVersion = settings.minDecryptionVersion ?? keyring.minDecryptionVersion;
    const minEncryptionVersion = settings.minEncryptionVersion ?? keyring.minEncryptionVersion;
    if (minDecryptionVersion < 1 || minDecryptionVersion > keyring.latestVersion) {
      throw new TransitError(
        'INVALID_REQUEST',
        `min_decryption_version must be between 1 and ${keyring.latestVersion}`,
      );
    }
    if (minEncryptionVersion < 0 || minEncryptionVersion > keyring.latestVersion) {
      throw new TransitError(
        'INVALID_REQUEST',
        `min_encryption_version must be between 0 and ${keyring.latestVersion}`,
      );
    }
    if (minEncryptionVersion !== 0 && minEncryptionVersion < minDecryptionVersion) {
      throw new TransitError('INVALID_REQUEST', 'min_encryption_version must not be below min_decryption_version');
    }
    const next = this.store.update(key, () => ({ ...keyring, minDecryptionVersion, minEncryptionVersion }));
    return info(next);
  }

  /**
   * Adds raw AES-256 key material as the next version of a key (used to adopt keys exported from Vault),
   * with the version's exported HMAC key when given (a random one otherwise).
   */
  importKeyVersion(key: string, encryptionKey: Buffer, options: KeyOptions & { hmacKey?: Buffer } = {}): void {
    if (encryptionKey.length !== 32) throw new TransitError('INVALID_REQUEST', 'key material must be 32 bytes');
    const hmacKey = options.hmacKey ?? randomBytes(32);
    this.store.update(key, (current) => {
      const latestVersion = (current?.latestVersion ?? 0) + 1;
      const versions = new Map(current?.versions ?? []);
      versions.set(latestVersion, { encryptionKey, hmacKey, createdAt: new Date() });
      return {
        name: key,
        derived: current?.derived ?? options.derived === true,
        latestVersion,
        minDecryptionVersion: current?.minDecryptionVersion ?? 1,
        minEncryptionVersion: current?.minEncryptionVersion ?? 0,
        versions,
      };
    });
  }

  async ensureEngine(): Promise<boolean> {
    return false;
  }

  async health(): Promise<void> {}

  async close(): Promise<void> {}

  private version(keyring: Keyring, version: number): KeyVersion {
    const entry = keyring.versions.get(version);
    if (entry === undefined)
      throw new TransitError('VERSION_UNKNOWN', `key "${keyring.name}" has no version ${version}`);
    return entry;
  }

  private open(keyring: Keyring, ciphertext: string, context: Buffer | undefined): TransitResult<Buffer> {
    try {
      const { version, payload } = parseCiphertext(ciphertext);
      if (version < keyring.minDecryptionVersion) {
        return failed(
          new TransitError(
            'VERSION_RETIRED',
            `ciphertext version ${version} is older than min_decryption_version ${keyring.minDecryptionVersion}`,
          ),
        );
      }
      if (version > keyring.latestVersion) {
        return failed(new TransitError('VERSION_UNKNOWN', `key "${keyring.name}" has no version ${version}`));
      }
      if (payload.length < NONCE_BYTES + TAG_BYTES) {
        return failed(new TransitError('MALFORMED_CIPHERTEXT', 'ciphertext is too short'));
      }
      const key = valueKey(keyring, this.version(keyring, version), context);
      return key.ok ? ok(unseal(key.value, payload)) : key;
    } catch (error) {
      if (error instanceof TransitError) return failed(error);
      return failed(
        new TransitError('INVALID_CIPHERTEXT', 'ciphertext failed authentication (tampered, or under another key)'),
      );
    }
  }
}

/**
 * The version an HMAC is asked under, refused as OpenBao refuses it: above the latest, below
 * min_decryption_version (a retired version: "no such key version"), or below min_encryption_version
 * unless it is the latest (path_hmac.go).
 */
function hmacVersion(keyring: Keyring, asked: number | undefined): number {
  if (asked === undefined || asked === 0) return keyring.latestVersion;
  if (!Number.isInteger(asked) || asked < 0 || asked > keyring.latestVersion) {
    throw new TransitError('INVALID_REQUEST', `invalid key version ${asked} (latest is ${keyring.latestVersion})`);
  }
  if (asked < keyring.minDecryptionVersion) throw new TransitError('INVALID_REQUEST', 'no such key version');
  if (keyring.minEncryptionVersion > 0 && asked < keyring.minEncryptionVersion && asked !== keyring.latestVersion) {
    throw new TransitError('INVALID_REQUEST', 'cannot generate HMAC: version is too old (disallowed by policy)');
  }
  return asked;
}

/**
 * The AES key for one value: the version's key itself, or for a derived key HKDF-SHA256 of it with
 * no salt and the context as info, 32 bytes, as OpenBao's keysutil derives it (KDF mode hkdf_sha256).
 */
function valueKey(keyring: Keyring, version: KeyVersion, context: Buffer | undefined): TransitResult<Buffer> {
  if (!keyring.derived) return ok(version.encryptionKey);
  if (context === undefined || context.length === 0) {
    return failed(
      new TransitError('INVALID_REQUEST', `key "${keyring.name}" is derived: every value needs its context`),
    );
  }
  return ok(Buffer.from(hkdfSync('sha256', version.encryptionKey, Buffer.alloc(0), context, 32)));
}

function seal(key: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function unseal(key: Buffer, payload: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, payload.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
  return Buffer.concat([decipher.update(payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES)), decipher.final()]);
}

function info(keyring: Keyring): KeyInfo {
  return {
    name: keyring.name,
    type: 'aes256-gcm96',
    derived: keyring.derived,
    // The embedded engine has no export: its keys leave the keyring only as the wrapped file.
    exportable: false,
    latestVersion: keyring.latestVersion,
    minDecryptionVersion: keyring.minDecryptionVersion,
    minEncryptionVersion: keyring.minEncryptionVersion,
    versions: Object.fromEntries(
      [...keyring.versions]
        .filter(([version]) => version >= keyring.minDecryptionVersion)
        .map(([version, entry]) => [version, entry.createdAt]),
    ),
  };
}
