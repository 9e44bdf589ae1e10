import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TransitError } from '../transit.ts';
import { writeDurably } from './durable-file.ts';
import {
  KEYRING_FORMAT,
  KeyringFileError,
  parseKeyringFile,
  type StoredFile,
  type StoredVersion,
} from './keyring-file.ts';

export interface KeyVersion {
  encryptionKey: Buffer;
  hmacKey: Buffer;
  createdAt: Date;
}

export interface Keyring {
  name: string;
  /** Values are encrypted under keys derived from their context (HKDF-SHA256, as Vault/OpenBao do). */
  derived: boolean;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  versions: Map<number, KeyVersion>;
}

/**
 * Keyrings of the embedded engine, persisted as one JSON file whose key material is wrapped
 * (AES-256-GCM) under the master key. Without a directory the keyrings live in memory only.
 * Only the data directory's owner opens it (src/owner), and each change is read, modified and written
 * durably in one synchronous step, so no change can be lost to another.
 */
export class KeyringStore {
  private keyrings = new Map<string, Keyring>();
  private loadedStamp = '';
  private readonly file: string | undefined;

  constructor(
    directory: string | undefined,
    private readonly masterKey: Buffer,
  ) {
    this.file = directory === undefined ? undefined : path.join(directory, 'keyring.json');
    if (directory !== undefined && fs.existsSync(directory)) {
      try {
        fs.accessSync(directory, fs.constants.R_OK | fs.constants.W_OK);
      } catch (error) {
        throw new TransitError(
          'UNAVAILABLE',
          `transit key directory ${directory} is not usable: ${(error as Error).message}`,
        );
      }
    }
    this.refresh();
  }

  get(name: string): Keyring | undefined {
    this.refresh();
    return this.keyrings.get(name);
  }

  require(name: string): Keyring {
    const keyring = this.get(name);
    if (keyring === undefined) throw new TransitError('KEY_NOT_FOUND', `transit key "${name}" not found`);
    return keyring;
  }

  /** Applies a change to one keyring and persists it before answering. */
  update(name: string, change: (current: Keyring | undefined) => Keyring): Keyring {
    this.refresh();
    const next = change(this.keyrings.get(name));
    this.keyrings.set(name, next);
    this.persist();
    return next;
  }

  private stamp(): string {
    if (this.file === undefined) return 'memory';
    try {
      const stat = fs.statSync(this.file);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'absent';
    }
  }

  private refresh(): void {
    const stamp = this.stamp();
    if (stamp === this.loadedStamp) return;
    if (this.file === undefined || stamp === 'absent') {
      this.loadedStamp = stamp;
      return;
    }
    let stored: StoredFile;
    try {
      stored = parseKeyringFile(fs.readFileSync(this.file, 'utf8'));
    } catch (error) {
      if (error instanceof KeyringFileError) {
        throw new TransitError(
          'UNAVAILABLE',
          `keyring ${this.file} is damaged: it ${error.message}. Put back a backup copy of it (its keys cannot be made again)`,
        );
      }
      throw new TransitError('UNAVAILABLE', `cannot read keyring ${this.file}: ${(error as Error).message}`);
    }
    const keyrings = new Map<string, Keyring>();
    for (const [name, keyring] of Object.entries(stored.keys)) {
      const versions = new Map<number, KeyVersion>();
      for (const [version, entry] of Object.entries(keyring.versions)) {
        const material = this.unwrap(name, Number(version), entry.material);
        versions.set(Number(version), {
          encryptionKey: material.subarray(0, 32),
          hmacKey: material.subarray(32, 64),
          createdAt: new Date(entry.createdAt),
        });
      }
      keyrings.set(name, { ...keyring, name, derived: keyring.derived === true, versions });
    }
    this.keyrings = keyrings;
    // Only a file that was read completely counts as loaded: an unreadable one fails every call until fixed.
    this.loadedStamp = stamp;
  }

  private persist(): void {
    if (this.file === undefined) return;
    const stored: StoredFile = { format: KEYRING_FORMAT, keys: {} };
    for (const [name, keyring] of this.keyrings) {
      const versions: Record<string, StoredVersion> = {};
      for (const [version, entry] of keyring.versions) {
        versions[version] = {
          material: this.wrap(name, version, Buffer.concat([entry.encryptionKey, entry.hmacKey])),
          createdAt: entry.createdAt.toISOString(),
        };
      }
      stored.keys[name] = {
        ...(keyring.derived ? { derived: true } : {}),
        latestVersion: keyring.latestVersion,
        minDecryptionVersion: keyring.minDecryptionVersion,
        minEncryptionVersion: keyring.minEncryptionVersion,
        versions,
      };
    }
    writeDurably(this.file, JSON.stringify(stored, null, 2));
    this.loadedStamp = this.stamp();
  }

  private wrap(name: string, version: number, material: Buffer): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, nonce);
    cipher.setAAD(Buffer.from(`transitql:${name}:v${version}`));
    const sealed = Buffer.concat([cipher.update(material), cipher.final()]);
    return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64');
  }

  private unwrap(name: string, version: number, wrapped: string): Buffer {
    const bytes = Buffer.from(wrapped, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(`transitql:${name}:v${version}`));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    } catch {
      throw new TransitError(
        'UNAVAILABLE',
        `keyring ${this.file} cannot be unwrapped: the master key does not match the one it was written with`,
      );
    }
  }
}

export function newKeyVersion(): KeyVersion {
  return { encryptionKey: randomBytes(32), hmacKey: randomBytes(32), createdAt: new Date() };
}
