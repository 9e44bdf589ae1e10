import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TransitError } from '../transit.ts';

/**
 * The key that wraps the embedded engine's keyring: given directly, or generated once into a file
 * readable only by its owner. It never lives beside the database.
 */
export function loadMasterKey(options: { masterKey: Buffer | undefined; masterKeyFile: string | undefined }): Buffer {
  if (options.masterKey !== undefined) return options.masterKey;
  if (options.masterKeyFile === undefined) return randomBytes(32);
  const file = options.masterKeyFile;
  try {
    const encoded = fs.readFileSync(file, 'utf8').trim();
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) {
      throw new TransitError('UNAVAILABLE', `master key file ${file} does not hold a 32-byte base64 key`);
    }
    return key;
  } catch (error) {
    if (error instanceof TransitError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new TransitError('UNAVAILABLE', `cannot read master key file ${file}: ${(error as Error).message}`);
    }
  }
  const key = randomBytes(32);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeFileSync(handle, `${key.toString('base64')}\n`);
      fs.fsyncSync(handle);
    } finally {
      fs.closeSync(handle);
    }
    const directory = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(directory);
    fs.closeSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(options);
    throw new TransitError('UNAVAILABLE', `cannot create master key file ${file}: ${(error as Error).message}`);
  }
  return key;
}
