import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import type { Transit } from '../../src/field-encryption/transit/transit.ts';
import { testConfig } from '../support/backends.ts';
import { freePort } from '../support/global-setup.ts';
import { describeOnRealBackends } from '../support/real-only.ts';

const ROOT_TOKEN = 'tls-test-root';

describeOnRealBackends('TLS to OpenBao with VAULT_CACERT', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-tls-'));
  let bao: ChildProcess | undefined;
  let address: string;

  function transitTrusting(caFile: string | undefined): Transit {
    const config = testConfig({
      VAULT_ADDR: address,
      VAULT_TOKEN: ROOT_TOKEN,
      ALLOW_ROOT_TOKEN: 'true',
      VAULT_RETRIES: '0',
      ...(caFile === undefined ? {} : { VAULT_CACERT: caFile }),
    });
    return createTransit(config.transit);
  }

  beforeAll(async () => {
    const binary = inject('realBackends')?.baoBinary;
    if (binary === undefined) throw new Error('the TLS test needs the bao binary (BAO_BINARY)');
    const port = await freePort();
    address = `https://127.0.0.1:${port}`;
    bao = spawn(
      binary,
      [
        'server',
        '-dev',
        '-dev-tls',
        `-dev-tls-cert-dir=${dir}`,
        `-dev-root-token-id=${ROOT_TOKEN}`,
        `-dev-listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      let transit: Transit | undefined;
      try {
        transit = transitTrusting(path.join(dir, 'vault-ca.pem'));
        await transit.health();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await transit?.close();
      }
    }
  }, 40_000);
  afterAll(() => {
    bao?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encrypts and decrypts over TLS when VAULT_CACERT names the server’s CA', async () => {
    const transit = transitTrusting(path.join(dir, 'vault-ca.pem'));
    try {
      await transit.ensureEngine();
      await transit.createKey('card-pan');
      const [encrypted] = await transit.encrypt('card-pan', [{ plaintext: Buffer.from('4539296620131157') }]);
      expect(encrypted?.ok && encrypted.value).toMatch(/^vault:v1:/);
      const [decrypted] = await transit.decrypt('card-pan', [
        { ciphertext: encrypted?.ok === true ? encrypted.value : '' },
      ]);
      expect(decrypted?.ok && decrypted.value.toString()).toBe('4539296620131157');
    } finally {
      await transit.close();
    }
  });

  it('fails with a message naming TLS and VAULT_CACERT when the CA is wrong or missing', async () => {
    const wrongCa = path.join(dir, 'wrong-ca.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(dir, 'wrong-ca-key.pem'),
        '-out',
        wrongCa,
        '-days',
        '1',
        '-subj',
        '/CN=not the OpenBao CA',
      ],
      { stdio: 'ignore' },
    );
    for (const caFile of [wrongCa, undefined]) {
      const transit = transitTrusting(caFile);
      try {
        await expect(transit.readKey('card-pan')).rejects.toMatchObject({
          code: 'UNAVAILABLE',
          message: expect.stringMatching(/^TLS to vault at https:\/\/127\.0\.0\.1:\d+ failed: .*VAULT_CACERT/),
        });
        await expect(transit.health()).rejects.toThrow(/TLS .*VAULT_CACERT/);
      } finally {
        await transit.close();
      }
    }
  });
});
