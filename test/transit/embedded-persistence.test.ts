import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import { type Transit, TransitError, type TransitResult } from '../../src/field-encryption/transit/transit.ts';
import { testConfig } from '../support/backends.ts';

const KEY = 'card-pan';

function open(dataDir: string, env: Record<string, string> = {}): Transit {
  return createTransit(testConfig({ DATA_DIR: dataDir, ...env }).transit);
}

function onlyValue<T>(result: TransitResult<T> | undefined): T {
  if (result === undefined || !result.ok) throw result?.error ?? new Error('no result');
  return result.value;
}

async function encrypt(transit: Transit, text: string): Promise<string> {
  return onlyValue((await transit.encrypt(KEY, [{ plaintext: Buffer.from(text) }]))[0]);
}

async function decrypt(transit: Transit, ciphertext: string): Promise<string> {
  return onlyValue((await transit.decrypt(KEY, [{ ciphertext }]))[0]).toString();
}

describe('embedded transit engine on disk [embedded]', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-keyring-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the master key file 0600, keeps no raw key material, and decrypts after reopening', async () => {
    const first = open(dataDir);
    await first.createKey(KEY);
    const ciphertext = await encrypt(first, 'survives a restart');
    await first.close();

    const masterKeyFile = path.join(dataDir, 'master.key');
    expect(fs.statSync(masterKeyFile).mode & 0o777).toBe(0o600);
    const keyringFile = path.join(dataDir, 'transit', 'keyring.json');
    expect(fs.statSync(keyringFile).mode & 0o777).toBe(0o600);
    const masterKey = fs.readFileSync(masterKeyFile, 'utf8').trim();
    expect(Buffer.from(masterKey, 'base64')).toHaveLength(32);
    expect(fs.readFileSync(keyringFile, 'utf8')).not.toContain(masterKey);

    const reopened = open(dataDir);
    expect(await decrypt(reopened, ciphertext)).toBe('survives a restart');
    expect((await reopened.readKey(KEY)).latestVersion).toBe(1);
  });

  it('sees a rotation made by another process on the same directory', async () => {
    const server = open(dataDir);
    await server.createKey(KEY);
    const v1 = await encrypt(server, 'v1 value');
    const cli = open(dataDir);
    await cli.rotateKey(KEY);

    expect(await encrypt(server, 'v2 value')).toMatch(/^vault:v2:/);
    expect(await decrypt(server, v1)).toBe('v1 value');
  });

  it('refuses to open with the wrong master key, saying so', async () => {
    const first = open(dataDir);
    await first.createKey(KEY);
    const wrongKey = randomBytes(32).toString('base64');

    expect(() => open(dataDir, { TRANSIT_MASTER_KEY: wrongKey })).toThrow(
      expect.objectContaining({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('the master key does not match'),
      }),
    );
  });

  it('uses TRANSIT_MASTER_KEY instead of a generated file', async () => {
    const masterKey = randomBytes(32).toString('base64');
    const first = open(dataDir, { TRANSIT_MASTER_KEY: masterKey });
    await first.createKey(KEY);
    const ciphertext = await encrypt(first, 'wrapped by the given key');

    expect(fs.existsSync(path.join(dataDir, 'master.key'))).toBe(false);
    expect(await decrypt(open(dataDir, { TRANSIT_MASTER_KEY: masterKey }), ciphertext)).toBe(
      'wrapped by the given key',
    );
    expect(() => open(dataDir)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });

  it('reads the master key from TRANSIT_MASTER_KEY_FILE and rejects a file without a 32-byte key', async () => {
    const file = path.join(dataDir, 'elsewhere', 'master.key');
    fs.mkdirSync(path.dirname(file));
    const masterKey = randomBytes(32).toString('base64');
    fs.writeFileSync(file, `${masterKey}\n`, { mode: 0o600 });
    const first = open(dataDir, { TRANSIT_MASTER_KEY_FILE: file });
    await first.createKey(KEY);
    const ciphertext = await encrypt(first, 'wrapped by the file key');
    expect(fs.existsSync(path.join(dataDir, 'master.key'))).toBe(false);
    expect(await decrypt(open(dataDir, { TRANSIT_MASTER_KEY: masterKey }), ciphertext)).toBe('wrapped by the file key');

    fs.writeFileSync(file, 'too short\n', { mode: 0o600 });

    expect(() => open(dataDir, { TRANSIT_MASTER_KEY_FILE: file })).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE', message: expect.stringContaining('32-byte') }),
    );
  });

  it.each([
    ['an empty object', '{}', /has no "format"/],
    ['truncated JSON', '{"format":"transitql-keyring/1","keys":{"card-pan":{"latestVer', /is not valid JSON/],
    ['another format', '{"format":"something-else/2","keys":{}}', /"format" must be "transitql-keyring\/1"/],
    ['keys as a list', '{"format":"transitql-keyring/1","keys":[]}', /"keys" must be an object/],
    [
      'a version number as text',
      '{"format":"transitql-keyring/1","keys":{"card-pan":{"latestVersion":"1","minDecryptionVersion":1,"minEncryptionVersion":0,"versions":{}}}}',
      /"keys\.card-pan\.latestVersion" must be a number/,
    ],
    [
      'a version without its material',
      '{"format":"transitql-keyring/1","keys":{"card-pan":{"latestVersion":1,"minDecryptionVersion":1,"minEncryptionVersion":0,"versions":{"1":{"createdAt":"2026-01-01T00:00:00.000Z"}}}}}',
      /"keys\.card-pan\.versions\.1\.material"/,
    ],
    [
      'a version that is not a number',
      '{"format":"transitql-keyring/1","keys":{"card-pan":{"latestVersion":1,"minDecryptionVersion":1,"minEncryptionVersion":0,"versions":{"one":{"material":"AA==","createdAt":"2026-01-01T00:00:00.000Z"}}}}}',
      /"keys\.card-pan\.versions" has a version "one"/,
    ],
    ['null', 'null', /must be an object/],
  ])('refuses a keyring file holding %s, naming the file and what is wrong', (_name, content, problem) => {
    const first = open(dataDir);
    void first.close();
    const keyringFile = path.join(dataDir, 'transit', 'keyring.json');
    fs.mkdirSync(path.dirname(keyringFile), { recursive: true });
    fs.writeFileSync(keyringFile, content, { mode: 0o600 });

    let thrown: unknown;
    try {
      open(dataDir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransitError);
    expect(thrown).toMatchObject({ code: 'UNAVAILABLE' });
    const message = (thrown as Error).message;
    expect(message).toContain(`keyring ${keyringFile}`);
    expect(message).toMatch(problem);
  });
});
