import net, { type AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { creditCards } from '../../src/db/schema.ts';
import type { TestApi } from '../support/api.ts';
import { backendSets, testConfig } from '../support/backends.ts';
import { processingLines, runProcessorOnce } from './processor-process.ts';
import { withApi } from './with-api.ts';

const CREATE = `mutation Create($input: CreditCardInput!) { createCreditCard(input: $input) { id pan } }`;
const PENDING = '{ creditCards(first: 100, status: PENDING) { nodes { name } } }';

async function createCard(api: TestApi, name: string, pan: string): Promise<{ id: string; pan: string }> {
  const created = await api.gql<{ createCreditCard: { id: string; pan: string } }>(CREATE, {
    role: 'clerk',
    variables: { input: { name, pan } },
  });
  expect(created.errors).toBeUndefined();
  return created.data!.createCreditCard;
}

/** The original walkthrough: Carlos Gardel under key version 1, a rotation, Aníbal Troilo under version 2. */
async function walkthrough(api: TestApi) {
  const carlos = await createCard(api, 'Carlos Gardel', '4539296620131157');
  const rotated = await api.gql<{ rotateKey: { latestVersion: number } }>(
    'mutation { rotateKey(name: "card-pan") { latestVersion } }',
    { role: 'key-admin' },
  );
  expect(rotated.data?.rotateKey.latestVersion).toBe(2);
  const anibal = await createCard(api, 'Aníbal Troilo', '2720 9971 3088 7021');
  expect([carlos.pan, anibal.pan].map((pan) => pan.slice(0, 9))).toEqual(['vault:v1:', 'vault:v2:']);
}

async function pendingNames(api: TestApi): Promise<string[]> {
  const pending = await api.gql<{ creditCards: { nodes: Array<{ name: string }> } }>(PENDING, { role: 'clerk' });
  return pending.data!.creditCards.nodes.map((card) => card.name);
}

// Each test starts processors as child processes (node + tsx); on a loaded machine that takes a while.
vi.setConfig({ testTimeout: 300_000 });

describe.each(backendSets())('npm run processor against the API over HTTP [$name]', (set) => {
  it('prints both walkthrough cards masked, and a second run processes nothing', () =>
    withApi(set, async (api) => {
      await walkthrough(api);
      const env = { PROCESSOR_API_URL: api.url, PROCESSOR_TOKEN: await api.token('processor') };

      const first = await runProcessorOnce([], env);
      expect(first.stderr).toBe('');
      expect(processingLines(first.stdout)).toEqual([
        'Processing CARLOS GARDEL card with number 453929******1157',
        'Processing ANÍBAL TROILO card with number 272099******7021',
      ]);
      expect(first.stdout).toContain('processed 2, failed 0, skipped 0');
      expect(first.code).toBe(0);

      // No PROCESSOR_TOKEN: outside production the processor issues its own from the development secret.
      const second = await runProcessorOnce([], { PROCESSOR_API_URL: api.url, NODE_ENV: 'development' });
      expect(processingLines(second.stdout)).toEqual([]);
      expect(second.stdout).toContain('processed 0, failed 0, skipped 0');
      expect(second.code).toBe(0);
      expect(await pendingNames(api)).toEqual([]);
    }));

  it('prints the full numbers only with --reveal', () =>
    withApi(set, async (api) => {
      await walkthrough(api);
      const run = await runProcessorOnce(['--reveal'], {
        PROCESSOR_API_URL: api.url,
        PROCESSOR_TOKEN: await api.token('processor'),
      });
      expect(processingLines(run.stdout)).toEqual([
        'Processing CARLOS GARDEL card with number 4539296620131157',
        'Processing ANÍBAL TROILO card with number 2720997130887021',
      ]);
      expect(run.code).toBe(0);
    }));

  it('refuses a clerk token with FORBIDDEN: nothing is processed, the cards stay pending', () =>
    withApi(set, async (api) => {
      await walkthrough(api);
      const run = await runProcessorOnce(['--reveal'], {
        PROCESSOR_API_URL: api.url,
        PROCESSOR_TOKEN: await api.token('clerk'),
      });
      expect(run.stderr).toMatch(/access denied \(FORBIDDEN\): claimCards requires one of the roles: processor/);
      expect(run.stdout).not.toMatch(/Processing|vault:/);
      expect(run.code).toBe(4);
      expect(await pendingNames(api)).toEqual(['Carlos Gardel', 'Aníbal Troilo']);
    }));

  it('refuses a token signed with another secret with UNAUTHENTICATED', () =>
    withApi(set, async (api) => {
      await walkthrough(api);
      const forged = await issueToken(
        testConfig({ AUTH_JWT_SECRET: 'another-secret-that-is-long-enough-0123456789' }).auth,
        ['processor'],
        'intruder',
      );
      const run = await runProcessorOnce([], { PROCESSOR_API_URL: api.url, PROCESSOR_TOKEN: forged });
      expect(run.stderr).toMatch(/access denied \(UNAUTHENTICATED\)/);
      expect(processingLines(run.stdout)).toEqual([]);
      expect(run.code).toBe(4);
      expect(await pendingNames(api)).toEqual(['Carlos Gardel', 'Aníbal Troilo']);
    }));

  it('leaves a card whose PAN cannot be decrypted pending for a retry and processes the others', () =>
    withApi(set, async (api, backends) => {
      await walkthrough(api);
      const tampered = await createCard(api, 'Roberto Goyeneche', '4111 1111 1111 1111');
      await backends.database.db
        .update(creditCards)
        .set({ pan: flipOneByte(tampered.pan) })
        .where(eq(creditCards.id, tampered.id));
      const env = { PROCESSOR_API_URL: api.url, PROCESSOR_TOKEN: await api.token('processor') };

      const run = await runProcessorOnce(['--reveal'], env);
      expect(processingLines(run.stdout)).toEqual([
        'Processing CARLOS GARDEL card with number 4539296620131157',
        'Processing ANÍBAL TROILO card with number 2720997130887021',
      ]);
      expect(run.stdout).toContain('processed 2, failed 1, skipped 0');
      expect(run.stderr).toContain(`card ${tampered.id} not processed: DECRYPTION_FAILED`);
      expect(run.stdout + run.stderr).not.toMatch(/vault:v|4111/);
      expect(run.code).toBe(1);

      const [row] = await backends.database.db.select().from(creditCards).where(eq(creditCards.id, tampered.id));
      expect(row).toMatchObject({ status: 'pending', attempts: 1, claimedBy: null });
      expect(row?.lastError).toMatch(/^DECRYPTION_FAILED: /);
      expect(row?.claimExpiresAt?.getTime()).toBeGreaterThan(Date.now());

      // Held back for the retry delay: the next run does not pick it up again at once.
      const again = await runProcessorOnce([], env);
      expect(again.stdout).toContain('processed 0, failed 0, skipped 0');
      expect(await pendingNames(api)).toEqual(['Roberto Goyeneche']);
    }));
});

describe('npm run processor without an API', () => {
  it('exits 3 with a clear message when the API is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/graphql`;
    const run = await runProcessorOnce([], { PROCESSOR_API_URL: url, PROCESSOR_TOKEN: 'unused' });
    expect(run.stderr).toContain(`cannot reach the API at ${url}: ECONNREFUSED`);
    expect(run.code).toBe(3);
  });
});

/** A local port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Corrupts the AES-GCM ciphertext inside a `vault:vN:` value, keeping its format. */
function flipOneByte(value: string): string {
  const [prefix, version, body] = value.split(':');
  const bytes = Buffer.from(body!, 'base64');
  bytes[20]! ^= 0x01;
  return `${prefix}:${version}:${bytes.toString('base64')}`;
}
