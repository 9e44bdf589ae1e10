import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import type { Transit } from '../../src/field-encryption/transit/transit.ts';
import { testConfig } from '../support/backends.ts';
import { freePort, waitForHealth } from '../support/global-setup.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const real = inject('realBackends');
const KEY = 'failure-key';
const plaintext = [{ plaintext: Buffer.from('4539296620131157') }];

async function bao(address: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${address}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.status === 204 ? {} : response.json();
}

describe.skipIf(real === null)(
  'Vault failures are typed, bounded and retried only when transient [postgres+openbao]',
  () => {
    const address = real?.vaultAddr ?? '';
    const rootToken = real?.vaultToken ?? '';
    const mount = `transit-failures-${randomBytes(4).toString('hex')}`;
    const opened: Transit[] = [];

    /** A VaultTransit on `vaultAddr`, counting the HTTP requests it sends (retries included). */
    function vaultTransit(env: Record<string, string>): { transit: Transit; requests: string[] } {
      const requests: string[] = [];
      const config = testConfig({
        VAULT_ADDR: address,
        VAULT_TOKEN: rootToken,
        VAULT_TRANSIT_MOUNT: mount,
        ALLOW_ROOT_TOKEN: 'true',
        VAULT_TIMEOUT_MS: '2000',
        VAULT_RETRIES: '2',
        ...env,
      });
      const transit = createTransit(config.transit, { onRequest: (path) => requests.push(path) });
      opened.push(transit);
      return { transit, requests };
    }

    beforeAll(async () => {
      await bao(address, rootToken, 'POST', `sys/mounts/${mount}`, { type: 'transit' });
      await bao(address, rootToken, 'POST', `${mount}/keys/${KEY}`, { type: 'aes256-gcm96' });
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((transit) => transit.close()));
    });
    afterAll(async () => {
      await bao(address, rootToken, 'DELETE', `sys/mounts/${mount}`);
    });

    it('answers FORBIDDEN when Vault rejects the token', { timeout: 10_000 }, async () => {
      const { transit } = vaultTransit({ VAULT_TOKEN: `not-a-token-${randomUUID()}` });
      await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('rejected the token'),
      });
    });

    it('answers FORBIDDEN without retrying when the policy denies transit (403)', { timeout: 10_000 }, async () => {
      const created = (await bao(address, rootToken, 'POST', 'auth/token/create', {
        policies: ['default'],
        ttl: '5m',
      })) as { auth: { client_token: string } };
      const { transit, requests } = vaultTransit({ VAULT_TOKEN: created.auth.client_token });
      await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(requests).toEqual([`/${mount}/encrypt/${KEY}`]);
    });

    it('does not retry a request Vault refuses as invalid (400)', { timeout: 10_000 }, async () => {
      const { transit, requests } = vaultTransit({});
      await expect(transit.configureKey(KEY, { minDecryptionVersion: 99 })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
      expect(requests).toEqual([`/${mount}/keys/${KEY}/config`]);
    });

    it('answers UNAVAILABLE when nothing listens at VAULT_ADDR', { timeout: 10_000 }, async () => {
      const closedPort = await freePort();
      const { transit } = vaultTransit({ VAULT_ADDR: `http://127.0.0.1:${closedPort}` });
      await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('unreachable'),
      });
      await expect(transit.health()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    });

    describe('behind a loopback TCP proxy', () => {
      let proxy: TcpProxy;

      beforeAll(async () => {
        const upstream = new URL(address);
        proxy = new TcpProxy({ host: upstream.hostname, port: Number(upstream.port) });
        await proxy.start();
      });
      afterEach(() => {
        proxy.setMode({ kind: 'pass' });
      });
      afterAll(async () => {
        await proxy?.stop();
      });

      it('times out with UNAVAILABLE when answers take longer than VAULT_TIMEOUT_MS', { timeout: 15_000 }, async () => {
        const { transit, requests } = vaultTransit({ VAULT_ADDR: proxy.url, VAULT_TIMEOUT_MS: '300' });
        await transit.readKey(KEY);
        proxy.setMode({ kind: 'delay', ms: 3_000 });
        requests.length = 0;
        await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({
          code: 'UNAVAILABLE',
          message: expect.stringContaining('did not answer encrypt with key "failure-key" within 300 ms'),
        });
        expect(requests).toHaveLength(1);
      });

      it('times out when an answer arrives drop by drop, each drop within VAULT_TIMEOUT_MS', {
        timeout: 15_000,
      }, async () => {
        // Forwards everything to OpenBao except encrypt, which it answers one byte every 50 ms.
        const server = http.createServer(async (request, response) => {
          if (request.url?.includes('/encrypt/') === true) {
            response.writeHead(200, { 'content-type': 'application/json' });
            const body = '{"data":{"batch_results":[]}}';
            for (const byte of body) {
              if (response.destroyed) return;
              response.write(byte);
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
            response.end();
            return;
          }
          const chunks: Buffer[] = [];
          for await (const chunk of request) chunks.push(chunk as Buffer);
          const forwarded = await fetch(`${address}${request.url}`, {
            method: request.method,
            headers: { 'x-vault-token': String(request.headers['x-vault-token'] ?? '') },
            ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
          });
          response.writeHead(forwarded.status, { 'content-type': 'application/json' });
          response.end(await forwarded.text());
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const port = (server.address() as AddressInfo).port;
          const { transit } = vaultTransit({ VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_TIMEOUT_MS: '300' });
          await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({
            code: 'UNAVAILABLE',
            message: expect.stringContaining('did not answer encrypt with key "failure-key" within 300 ms'),
          });
        } finally {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      });

      it('retries connection resets and then succeeds', { timeout: 15_000 }, async () => {
        const { transit, requests } = vaultTransit({ VAULT_ADDR: proxy.url, VAULT_RETRIES: '3' });
        await transit.readKey(KEY);
        proxy.setMode({ kind: 'reset', times: 2 });
        requests.length = 0;
        const [result] = await transit.encrypt(KEY, plaintext);
        expect(result?.ok && result.value).toMatch(/^vault:v1:/);
        expect(requests).toEqual(Array(3).fill(`/${mount}/encrypt/${KEY}`));
      });

      it('gives up after VAULT_RETRIES retries of connection resets', { timeout: 15_000 }, async () => {
        const { transit, requests } = vaultTransit({ VAULT_ADDR: proxy.url, VAULT_RETRIES: '2' });
        await transit.readKey(KEY);
        proxy.setMode({ kind: 'reset' });
        requests.length = 0;
        await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
        expect(requests).toHaveLength(3);
      });
    });

    describe('on a sealed OpenBao of its own', () => {
      let server: ChildProcess | undefined;
      let sealedAddress: string;
      const sealedToken = `root-${randomUUID()}`;

      beforeAll(async () => {
        if (real?.baoBinary === undefined) throw new Error('no bao binary to start a server that can be sealed');
        const port = await freePort();
        sealedAddress = `http://127.0.0.1:${port}`;
        server = spawn(
          real.baoBinary,
          ['server', '-dev', `-dev-root-token-id=${sealedToken}`, `-dev-listen-address=127.0.0.1:${port}`],
          { stdio: 'ignore' },
        );
        await waitForHealth(sealedAddress, 30_000);
        await bao(sealedAddress, sealedToken, 'POST', `sys/mounts/${mount}`, { type: 'transit' });
        await bao(sealedAddress, sealedToken, 'POST', `${mount}/keys/${KEY}`, { type: 'aes256-gcm96' });
      });
      afterAll(() => {
        server?.kill('SIGTERM');
      });

      it('answers UNAVAILABLE saying sealed, after retrying the 503', { timeout: 15_000 }, async () => {
        const { transit, requests } = vaultTransit({ VAULT_ADDR: sealedAddress, VAULT_TOKEN: sealedToken });
        await transit.readKey(KEY);
        await bao(sealedAddress, sealedToken, 'PUT', 'sys/seal');
        requests.length = 0;
        await expect(transit.encrypt(KEY, plaintext)).rejects.toMatchObject({
          code: 'UNAVAILABLE',
          message: expect.stringContaining('sealed'),
        });
        expect(requests).toEqual(Array(3).fill(`/${mount}/encrypt/${KEY}`));
        await expect(transit.health()).rejects.toMatchObject({
          code: 'UNAVAILABLE',
          message: expect.stringContaining('sealed'),
        });
      });
    });
  },
);
