import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmbeddedTransit, KeyringStore, type TransitResult } from '../../src/field-encryption/index.ts';

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

describe.skipIf(real === null)('embedded engine derives per-context keys as OpenBao does [postgres+openbao]', () => {
  const mount = `transit-derived-${randomBytes(4).toString('hex')}`;
  const KEY = 'bound-key';
  const items = [
    { plaintext: Buffer.from('4539296620131157'), context: Buffer.from('0b9a4c1e-0000-4000-8000-000000000001') },
    { plaintext: Buffer.from('DE89370400440532013000'), context: Buffer.from('patient-42') },
    { plaintext: randomBytes(100), context: randomBytes(16) },
  ];
  let embedded: EmbeddedTransit;

  async function bao<T>(path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${real?.vaultAddr}/v1/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'X-Vault-Token': real?.vaultToken ?? '' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok && response.status !== 400) throw new Error(`${path}: HTTP ${response.status}`);
    return (response.status === 204 ? {} : await response.json()) as T;
  }

  type Batch = { data: { batch_results: Array<{ ciphertext?: string; plaintext?: string; error?: string }> } };
  const b64 = (buffer: Buffer) => buffer.toString('base64');

  beforeAll(async () => {
    await bao(`sys/mounts/${mount}`, { type: 'transit' });
    await bao(`${mount}/keys/${KEY}`, { type: 'aes256-gcm96', derived: true, exportable: true });
    const exported = await bao<{ data: { keys: Record<string, string> } }>(`${mount}/export/encryption-key/${KEY}/1`);
    embedded = new EmbeddedTransit(new KeyringStore(undefined, randomBytes(32)), 'in memory');
    embedded.importKeyVersion(KEY, Buffer.from(exported.data.keys['1'] ?? '', 'base64'), { derived: true });
    expect((await embedded.readKey(KEY)).derived).toBe(true);
  });
  afterAll(async () => {
    if (real !== null)
      await fetch(`${real.vaultAddr}/v1/sys/mounts/${mount}`, {
        method: 'DELETE',
        headers: { 'X-Vault-Token': real.vaultToken },
      });
  });

  it('decrypts, with the same context, what OpenBao encrypted, and OpenBao decrypts what it encrypted', async () => {
    const fromBao = await bao<Batch>(`${mount}/encrypt/${KEY}`, {
      batch_input: items.map((item) => ({ plaintext: b64(item.plaintext), context: b64(item.context) })),
    });
    const baoCiphertexts = fromBao.data.batch_results.map((result) => result.ciphertext ?? '');
    const embeddedRead = valuesOf(
      await embedded.decrypt(
        KEY,
        baoCiphertexts.map((ciphertext, index) => ({ ciphertext, context: items[index]?.context })),
      ),
    );
    expect(embeddedRead.map(b64)).toEqual(items.map((item) => b64(item.plaintext)));

    const fromEmbedded = valuesOf(await embedded.encrypt(KEY, items));
    const baoRead = await bao<Batch>(`${mount}/decrypt/${KEY}`, {
      batch_input: fromEmbedded.map((ciphertext, index) => ({
        ciphertext,
        context: b64(items[index]?.context ?? Buffer.alloc(0)),
      })),
    });
    expect(baoRead.data.batch_results.map((result) => result.plaintext)).toEqual(
      items.map((item) => b64(item.plaintext)),
    );
  });

  it('both refuse a ciphertext under another context as failing authentication', async () => {
    const [ciphertext] = valuesOf(await embedded.encrypt(KEY, [items[0] ?? { plaintext: Buffer.alloc(1) }]));
    const other = Buffer.from('another-record');
    const [embeddedResult] = await embedded.decrypt(KEY, [{ ciphertext: ciphertext ?? '', context: other }]);
    expect(embeddedResult?.ok === false && embeddedResult.error.code).toBe('INVALID_CIPHERTEXT');
    const baoResult = await bao<Batch>(`${mount}/decrypt/${KEY}`, {
      batch_input: [{ ciphertext, context: b64(other) }],
    });
    expect(baoResult.data.batch_results[0]?.error).toMatch(/message authentication failed/);
  });

  it("stays compatible across a rotation: each side decrypts the other's v1 and v2 ciphertexts", async () => {
    const baoEncrypt = async () =>
      (
        await bao<Batch>(`${mount}/encrypt/${KEY}`, {
          batch_input: items.map((item) => ({ plaintext: b64(item.plaintext), context: b64(item.context) })),
        })
      ).data.batch_results.map((result) => result.ciphertext ?? '');
    const baoDecrypt = async (ciphertexts: string[]) =>
      (
        await bao<Batch>(`${mount}/decrypt/${KEY}`, {
          batch_input: ciphertexts.map((ciphertext, index) => ({
            ciphertext,
            context: b64(items[index]?.context ?? Buffer.alloc(0)),
          })),
        })
      ).data.batch_results.map((result) => result.error || result.plaintext);
    const embeddedDecrypt = async (ciphertexts: string[]) =>
      valuesOf(
        await embedded.decrypt(
          KEY,
          ciphertexts.map((ciphertext, index) => ({ ciphertext, context: items[index]?.context })),
        ),
      ).map(b64);
    const expected = items.map((item) => b64(item.plaintext));

    const v1 = { bao: await baoEncrypt(), embedded: valuesOf(await embedded.encrypt(KEY, items)) };
    for (const ciphertext of [...v1.bao, ...v1.embedded]) expect(ciphertext).toMatch(/^vault:v1:/);

    await bao(`${mount}/keys/${KEY}/rotate`, {});
    const exported = await bao<{ data: { keys: Record<string, string> } }>(`${mount}/export/encryption-key/${KEY}/2`);
    embedded.importKeyVersion(KEY, Buffer.from(exported.data.keys['2'] ?? '', 'base64'), { derived: true });
    expect((await embedded.readKey(KEY)).latestVersion).toBe(2);

    const v2 = { bao: await baoEncrypt(), embedded: valuesOf(await embedded.encrypt(KEY, items)) };
    for (const ciphertext of [...v2.bao, ...v2.embedded]) expect(ciphertext).toMatch(/^vault:v2:/);

    // Each side reads the other's ciphertexts of both versions, each with its own record's context.
    expect(await embeddedDecrypt(v1.bao)).toEqual(expected);
    expect(await embeddedDecrypt(v2.bao)).toEqual(expected);
    expect(await baoDecrypt(v1.embedded)).toEqual(expected);
    expect(await baoDecrypt(v2.embedded)).toEqual(expected);

    // The two versions are different keys: a v1 ciphertext relabelled v2 opens on neither side.
    const relabelled = v1.bao.map((ciphertext) => ciphertext.replace(/^vault:v1:/, 'vault:v2:'));
    const [embeddedResult] = await embedded.decrypt(KEY, [
      { ciphertext: relabelled[0] ?? '', context: items[0]?.context },
    ]);
    expect(embeddedResult?.ok === false && embeddedResult.error.code).toBe('INVALID_CIPHERTEXT');
    expect((await baoDecrypt(relabelled))[0]).toMatch(/message authentication failed/);
  });
});

describe.skipIf(real === null)('embedded HMAC is byte-compatible with OpenBao transit/hmac [postgres+openbao]', () => {
  const mount = `transit-hmac-${randomBytes(4).toString('hex')}`;
  const KEY = 'index-key';
  const inputs = [Buffer.from('4539296620131157'), Buffer.alloc(0), Buffer.from('Ñandú 🐧', 'utf8'), randomBytes(64)];
  let embedded: EmbeddedTransit;

  async function bao<T>(path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${real?.vaultAddr}/v1/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'X-Vault-Token': real?.vaultToken ?? '' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (response.status === 204 ? {} : await response.json()) as T;
  }

  async function importVersion(version: number): Promise<void> {
    const exported = async (kind: string) => {
      const answer = await bao<{ data: { keys: Record<string, string> } }>(`${mount}/export/${kind}/${KEY}/${version}`);
      return Buffer.from(answer.data.keys[String(version)] ?? '', 'base64');
    };
    embedded.importKeyVersion(KEY, await exported('encryption-key'), { hmacKey: await exported('hmac-key') });
  }

  async function baoHmac(keyVersion?: number): Promise<string[]> {
    const answer = await bao<{ data: { batch_results: Array<{ hmac: string }> } }>(`${mount}/hmac/${KEY}`, {
      ...(keyVersion === undefined ? {} : { key_version: keyVersion }),
      batch_input: inputs.map((input) => ({ input: input.toString('base64') })),
    });
    return answer.data.batch_results.map((result) => result.hmac);
  }

  const embeddedHmac = async (version?: number) =>
    valuesOf(
      await embedded.hmac(
        KEY,
        inputs.map((input) => ({ input })),
        version === undefined ? {} : { version },
      ),
    );

  beforeAll(async () => {
    await bao(`sys/mounts/${mount}`, { type: 'transit' });
    await bao(`${mount}/keys/${KEY}`, { type: 'aes256-gcm96', exportable: true });
    embedded = new EmbeddedTransit(new KeyringStore(undefined, randomBytes(32)), 'in memory');
    await importVersion(1);
  });
  afterAll(async () => {
    if (real !== null)
      await fetch(`${real.vaultAddr}/v1/sys/mounts/${mount}`, {
        method: 'DELETE',
        headers: { 'X-Vault-Token': real.vaultToken },
      });
  });

  it('answers the same vault:v1: HMAC, byte for byte', async () => {
    const fromBao = await baoHmac();
    expect(fromBao[0]).toMatch(/^vault:v1:/);
    expect(await embeddedHmac()).toEqual(fromBao);
  });

  it('after a rotation: the same under the latest version and under key_version 1', async () => {
    await bao(`${mount}/keys/${KEY}/rotate`, {});
    await importVersion(2);
    const latest = await baoHmac();
    expect(latest[0]).toMatch(/^vault:v2:/);
    expect(await embeddedHmac()).toEqual(latest);
    const first = await baoHmac(1);
    expect(first[0]).toMatch(/^vault:v1:/);
    expect(await embeddedHmac(1)).toEqual(first);
    expect(first).not.toEqual(latest.map((hmac) => hmac.replace('vault:v2:', 'vault:v1:')));
  });

  it('both refuse a version newer than the latest, and a retired one', async () => {
    await expect(baoHmac(3)).rejects.toThrow(/HTTP 400/);
    await expect(embeddedHmac(3)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await bao(`${mount}/keys/${KEY}/config`, { min_decryption_version: 2 });
    await embedded.configureKey(KEY, { minDecryptionVersion: 2 });
    await expect(baoHmac(1)).rejects.toThrow(/no such key version/);
    await expect(embeddedHmac(1)).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: 'no such key version' });
    expect(await embeddedHmac(2)).toEqual(await baoHmac(2));
  });
});
