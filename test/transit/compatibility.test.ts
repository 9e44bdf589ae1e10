import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmbeddedTransit } from '../../src/field-encryption/transit/embedded/embedded-transit.ts';
import { KeyringStore } from '../../src/field-encryption/transit/embedded/keyring-store.ts';
import type { TransitResult } from '../../src/field-encryption/transit/transit.ts';

const real = inject('realBackends');
const KEY = 'shared-key';

function valuesOf<T>(results: TransitResult<T>[]): T[] {
  return results.map((result) => {
    if (!result.ok) throw result.error;
    return result.value;
  });
}

describe.skipIf(real === null)('embedded engine is byte-compatible with aes256-gcm96 [postgres+openbao]', () => {
  const mount = `transit-compat-${randomBytes(4).toString('hex')}`;
  const plaintexts = [
    Buffer.alloc(0),
    Buffer.from('4539296620131157'),
    Buffer.from('Ñandú 🐧 漢字', 'utf8'),
    randomBytes(300),
  ];
  let embedded: EmbeddedTransit;

  async function bao<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${real?.vaultAddr}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': real?.vaultToken ?? '' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (response.status === 204 ? {} : await response.json()) as T;
  }

  async function exportVersion(version: number): Promise<Buffer> {
    const answer = await bao<{ data: { keys: Record<string, string> } }>(
      'GET',
      `${mount}/export/encryption-key/${KEY}/${version}`,
    );
    return Buffer.from(answer.data.keys[String(version)] ?? '', 'base64');
  }

  async function baoEncrypt(): Promise<string[]> {
    const answer = await bao<{ data: { batch_results: Array<{ ciphertext: string }> } }>(
      'POST',
      `${mount}/encrypt/${KEY}`,
      { batch_input: plaintexts.map((plaintext) => ({ plaintext: plaintext.toString('base64') })) },
    );
    return answer.data.batch_results.map((result) => result.ciphertext);
  }

  async function baoDecrypt(ciphertexts: string[]): Promise<Buffer[]> {
    const answer = await bao<{ data: { batch_results: Array<{ plaintext: string; error?: string }> } }>(
      'POST',
      `${mount}/decrypt/${KEY}`,
      { batch_input: ciphertexts.map((ciphertext) => ({ ciphertext })) },
    );
    return answer.data.batch_results.map((result) => Buffer.from(result.plaintext, 'base64'));
  }

  beforeAll(async () => {
    await bao('POST', `sys/mounts/${mount}`, { type: 'transit' });
    await bao('POST', `${mount}/keys/${KEY}`, { type: 'aes256-gcm96', exportable: true });
    embedded = new EmbeddedTransit(new KeyringStore(undefined, randomBytes(32)), 'in memory');
    const material = await exportVersion(1);
    expect(material).toHaveLength(32);
    embedded.importKeyVersion(KEY, material);
  });
  afterAll(async () => {
    if (real !== null) await bao('DELETE', `sys/mounts/${mount}`);
  });

  it('decrypts what OpenBao encrypted', async () => {
    const ciphertexts = await baoEncrypt();
    for (const ciphertext of ciphertexts) expect(ciphertext).toMatch(/^vault:v1:/);
    const decrypted = valuesOf(
      await embedded.decrypt(
        KEY,
        ciphertexts.map((ciphertext) => ({ ciphertext })),
      ),
    );
    expect(decrypted.map((buffer) => buffer.toString('hex'))).toEqual(plaintexts.map((p) => p.toString('hex')));
  });

  it('writes ciphertext OpenBao decrypts', async () => {
    const ciphertexts = valuesOf(
      await embedded.encrypt(
        KEY,
        plaintexts.map((plaintext) => ({ plaintext })),
      ),
    );
    for (const ciphertext of ciphertexts) expect(ciphertext).toMatch(/^vault:v1:/);
    const decrypted = await baoDecrypt(ciphertexts);
    expect(decrypted.map((buffer) => buffer.toString('hex'))).toEqual(plaintexts.map((p) => p.toString('hex')));
  });

  it('stays compatible across a rotation when the new version is imported too', async () => {
    await bao('POST', `${mount}/keys/${KEY}/rotate`, {});
    embedded.importKeyVersion(KEY, await exportVersion(2));
    const fromBao = await baoEncrypt();
    expect(fromBao[0]).toMatch(/^vault:v2:/);
    const fromEmbedded = valuesOf(
      await embedded.encrypt(
        KEY,
        plaintexts.map((plaintext) => ({ plaintext })),
      ),
    );
    expect(fromEmbedded[0]).toMatch(/^vault:v2:/);
    const expected = plaintexts.map((p) => p.toString('hex'));
    const embeddedRead = valuesOf(
      await embedded.decrypt(
        KEY,
        fromBao.map((ciphertext) => ({ ciphertext })),
      ),
    );
    expect(embeddedRead.map((buffer) => buffer.toString('hex'))).toEqual(expected);
    expect((await baoDecrypt(fromEmbedded)).map((buffer) => buffer.toString('hex'))).toEqual(expected);
  });
});
