import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transit, TransitResult } from '../../src/field-encryption/transit/transit.ts';
import { type Backends, backendSets } from '../support/backends.ts';

let keyCounter = 0;
const freshKey = () => `contract-${++keyCounter}-${randomBytes(3).toString('hex')}`;

function values<T>(results: TransitResult<T>[]): T[] {
  return results.map((result) => {
    if (!result.ok) throw result.error;
    return result.value;
  });
}

function codes<T>(results: TransitResult<T>[]): Array<string> {
  return results.map((result) => (result.ok ? 'ok' : result.error.code));
}

async function encryptOne(transit: Transit, key: string, plaintext: string | Buffer): Promise<string> {
  const [ciphertext] = values(await transit.encrypt(key, [{ plaintext: Buffer.from(plaintext) }]));
  return ciphertext as string;
}

async function decryptOne(transit: Transit, key: string, ciphertext: string): Promise<TransitResult<Buffer>> {
  const [result] = await transit.decrypt(key, [{ ciphertext }]);
  return result as TransitResult<Buffer>;
}

describe.each(backendSets())('Transit contract [$name]', (set) => {
  let backends: Backends;
  let transit: Transit;

  beforeAll(async () => {
    backends = await set.open({ TRANSIT_BATCH_SIZE: '300' });
    transit = backends.transit;
  });
  afterAll(async () => {
    await backends?.close();
  });

  it('round-trips empty, ASCII, Unicode and binary values in one batch', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const plaintexts = [
      Buffer.alloc(0),
      Buffer.from('4539296620131157'),
      Buffer.from('Ñandú 🐧 — 漢字 ünïcödé', 'utf8'),
      Buffer.from([0, 255, 1, 254, 0, 0, 128, 10, 13]),
      randomBytes(4096),
    ];
    const ciphertexts = values(
      await transit.encrypt(
        key,
        plaintexts.map((plaintext) => ({ plaintext })),
      ),
    );
    for (const ciphertext of ciphertexts) expect(ciphertext).toMatch(/^vault:v1:[A-Za-z0-9+/]+={0,2}$/);
    const decrypted = values(
      await transit.decrypt(
        key,
        ciphertexts.map((ciphertext) => ({ ciphertext })),
      ),
    );
    expect(decrypted.map((buffer) => buffer.toString('hex'))).toEqual(plaintexts.map((p) => p.toString('hex')));
  });

  it('decrypts v1 and v2 values after a rotation, and encrypts new values under v2', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const v1 = await encryptOne(transit, key, 'before rotation');
    const rotated = await transit.rotateKey(key);
    expect(rotated.latestVersion).toBe(2);
    const v2 = await encryptOne(transit, key, 'after rotation');
    expect(v1).toMatch(/^vault:v1:/);
    expect(v2).toMatch(/^vault:v2:/);
    const decrypted = values(await transit.decrypt(key, [{ ciphertext: v1 }, { ciphertext: v2 }]));
    expect(decrypted.map((buffer) => buffer.toString())).toEqual(['before rotation', 'after rotation']);
  });

  it('rewraps v1 ciphertext to the latest version without changing the plaintext', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const v1 = await encryptOne(transit, key, 'rewrap me');
    await transit.rotateKey(key);
    await transit.rotateKey(key);
    const [rewrapped] = values(await transit.rewrap(key, [{ ciphertext: v1 }]));
    expect(rewrapped).toMatch(/^vault:v3:/);
    expect(values([await decryptOne(transit, key, rewrapped as string)])[0]?.toString()).toBe('rewrap me');
  });

  it('refuses ciphertext older than min_decryption_version as VERSION_RETIRED', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const v1 = await encryptOne(transit, key, 'old');
    await transit.rotateKey(key);
    const v2 = await encryptOne(transit, key, 'new');
    const configured = await transit.configureKey(key, { minDecryptionVersion: 2 });
    expect(configured.minDecryptionVersion).toBe(2);
    const results = await transit.decrypt(key, [{ ciphertext: v1 }, { ciphertext: v2 }]);
    expect(codes(results)).toEqual(['VERSION_RETIRED', 'ok']);
    expect(values([results[1] as TransitResult<Buffer>])[0]?.toString()).toBe('new');
  });

  it('refuses ciphertext naming a version the key does not have as VERSION_UNKNOWN', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const ciphertext = await encryptOne(transit, key, 'from the future');
    const result = await decryptOne(transit, key, ciphertext.replace(/^vault:v1:/, 'vault:v9:'));
    expect(result.ok ? 'ok' : result.error.code).toBe('VERSION_UNKNOWN');
  });

  it('fails only the bad items of a rewrap batch', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const good = await encryptOne(transit, key, 'good');
    await transit.rotateKey(key);
    const results = await transit.rewrap(key, [{ ciphertext: good }, { ciphertext: 'vault:v1:garbage' }]);
    expect(codes(results)).toEqual(['ok', 'MALFORMED_CIPHERTEXT']);
    expect(results[0]?.ok && results[0].value).toMatch(/^vault:v2:/);
  });

  it('refuses tampered ciphertext as INVALID_CIPHERTEXT', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const ciphertext = await encryptOne(transit, key, 'do not touch');
    const payload = Buffer.from(ciphertext.slice('vault:v1:'.length), 'base64');
    payload[payload.length - 20] = (payload[payload.length - 20] as number) ^ 0x01;
    const result = await decryptOne(transit, key, `vault:v1:${payload.toString('base64')}`);
    expect(result.ok ? 'ok' : result.error.code).toBe('INVALID_CIPHERTEXT');
  });

  it('refuses malformed ciphertext as MALFORMED_CIPHERTEXT', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const results = await transit.decrypt(key, [
      { ciphertext: 'not a ciphertext' },
      { ciphertext: 'vault:v1:' },
      { ciphertext: 'vault:vx:AAAA' },
      { ciphertext: 'vault:v1:!!!not-base64!!!' },
    ]);
    expect(codes(results)).toEqual(Array(4).fill('MALFORMED_CIPHERTEXT'));
  });

  it('does not decrypt ciphertext made under another key', async () => {
    const [first, second] = [freshKey(), freshKey()];
    await transit.createKey(first);
    await transit.createKey(second);
    const ciphertext = await encryptOne(transit, first, 'belongs to the first key');
    const result = await decryptOne(transit, second, ciphertext);
    expect(result.ok ? 'ok' : result.error.code).toBe('INVALID_CIPHERTEXT');
  });

  it('answers KEY_NOT_FOUND for a key that does not exist', async () => {
    const key = freshKey();
    await expect(transit.readKey(key)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(transit.rotateKey(key)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(
      transit.decrypt(key, [{ ciphertext: 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }]),
    ).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(transit.configureKey(key, { minDecryptionVersion: 1 })).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
  });

  it('fails only the bad items of a mixed batch of 1000', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const plaintexts = Array.from({ length: 1000 }, (_, index) => `value-${index}`);
    const ciphertexts = values(
      await transit.encrypt(
        key,
        plaintexts.map((plaintext) => ({ plaintext: Buffer.from(plaintext) })),
      ),
    );
    const isBad = (index: number) => index % 97 === 13;
    const mixed = ciphertexts.map((ciphertext, index) => ({
      ciphertext: isBad(index) ? 'vault:v1:garbage' : ciphertext,
    }));
    const results = await transit.decrypt(key, mixed);
    expect(results).toHaveLength(1000);
    results.forEach((result, index) => {
      if (isBad(index)) {
        expect(result.ok ? 'ok' : result.error.code, `item ${index}`).toBe('MALFORMED_CIPHERTEXT');
      } else {
        expect(result.ok ? result.value.toString() : result.error.code, `item ${index}`).toBe(plaintexts[index]);
      }
    });
  });

  it('keeps input order across chunk boundaries with 2,500 items', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const plaintexts = Array.from({ length: 2500 }, (_, index) => `ordered-${index}`);
    const ciphertexts = values(
      await transit.encrypt(
        key,
        plaintexts.map((plaintext) => ({ plaintext: Buffer.from(plaintext) })),
      ),
    );
    expect(ciphertexts).toHaveLength(2500);
    const decrypted = values(
      await transit.decrypt(
        key,
        ciphertexts.map((ciphertext) => ({ ciphertext })),
      ),
    );
    expect(decrypted.map((buffer) => buffer.toString())).toEqual(plaintexts);
  });

  it('computes a stable, key-specific HMAC', async () => {
    const [key, other] = [freshKey(), freshKey()];
    await transit.createKey(key);
    await transit.createKey(other);
    const inputs = ['4539296620131157', '4539296620131157', '5555555555554444'].map((text) => ({
      input: Buffer.from(text),
    }));
    const [a, b, c] = values(await transit.hmac(key, inputs));
    const [elsewhere] = values(await transit.hmac(other, inputs.slice(0, 1)));
    expect(a).toMatch(/^vault:v1:/);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(elsewhere);
  });

  it('reports versions and minimums from readKey', async () => {
    const key = freshKey();
    await transit.createKey(key);
    const created = await transit.readKey(key);
    expect(created).toMatchObject({
      name: key,
      type: 'aes256-gcm96',
      latestVersion: 1,
      minDecryptionVersion: 1,
      minEncryptionVersion: 0,
    });
    expect(Object.keys(created.versions)).toEqual(['1']);
    await transit.rotateKey(key);
    await transit.rotateKey(key);
    await transit.configureKey(key, { minDecryptionVersion: 2, minEncryptionVersion: 3 });
    const read = await transit.readKey(key);
    expect(read).toMatchObject({ latestVersion: 3, minDecryptionVersion: 2, minEncryptionVersion: 3 });
    expect(Object.keys(read.versions).sort()).toEqual(['2', '3']);
    for (const created of Object.values(read.versions)) expect(created).toBeInstanceOf(Date);
  });

  it('refuses to retire versions above the latest as INVALID_REQUEST', async () => {
    const key = freshKey();
    await transit.createKey(key);
    await transit.rotateKey(key);
    await expect(transit.configureKey(key, { minDecryptionVersion: 3 })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect((await transit.readKey(key)).minDecryptionVersion).toBe(1);
  });
});
