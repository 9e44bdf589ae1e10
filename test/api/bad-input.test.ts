import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import type { Transit } from '../../src/field-encryption/transit/transit.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { capturedLogger } from '../support/captured-logs.ts';
import { CREATE_CARD, CREATE_CARDS, countCards, overwritePan, PANS, tamper } from '../support/cards.ts';

const SECRET = 'bad-input-suite-secret-0123456789-abcdefgh';
const AUDIENCE = 'transitql-bad-input';
const ENV = { AUTH_JWT_SECRET: SECRET, AUTH_AUDIENCE: AUDIENCE, MAX_BULK_SIZE: '3', MAX_PAGE_SIZE: '20' };

const INVALID_PANS = {
  'a wrong Luhn check digit': '4539296620131158',
  letters: '4539abcd20131157',
  'too few digits': '45392966201',
  'too many digits': '45392966201311571234',
};

/** Signs the claims given, with a subject, so each bad token below fails for its own reason. */
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT({ sub: 'bad-input-test', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
const now = () => Math.floor(Date.now() / 1000);

/** Every form a PAN could leak in: as typed, digits only, and base64 of either. */
function forms(pan: string): string[] {
  const digits = pan.replace(/\D/g, '');
  return [pan, digits, Buffer.from(pan).toString('base64'), Buffer.from(digits).toString('base64')].filter(
    (form) => form.length >= 8,
  );
}

describe.each(backendSets())('bad input over HTTP [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const readCards = (token?: string) =>
    api.gql('{ creditCards { nodes { id } } }', token === undefined ? {} : { token });

  beforeAll(async () => {
    backends = await set.open(ENV);
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  describe('authentication', () => {
    const rejected: Array<[string, () => Promise<string | undefined>]> = [
      ['no token', async () => undefined],
      ['a bad signature', () => sign({ roles: ['clerk'], aud: AUDIENCE, exp: now() + 600 }, `${SECRET}-other`)],
      [
        'alg none',
        async () => new UnsecuredJWT({ roles: ['clerk'] }).setAudience(AUDIENCE).setExpirationTime('10m').encode(),
      ],
      ['an expired token', () => sign({ roles: ['clerk'], aud: AUDIENCE, iat: now() - 7200, exp: now() - 3600 })],
      ['a wrong audience', () => sign({ roles: ['clerk'], aud: 'someone-else', exp: now() + 600 })],
      ['no audience', () => sign({ roles: ['clerk'], exp: now() + 600 })],
      ['no expiry', () => sign({ roles: ['clerk'], aud: AUDIENCE })],
      ['a token that is not a JWT', async () => 'not.a.jwt'],
    ];

    it.each(rejected)('%s: UNAUTHENTICATED and nothing written', async (_, makeToken) => {
      const token = await makeToken();
      const created = await api.gql(CREATE_CARD, {
        ...(token === undefined ? {} : { token }),
        variables: { input: { name: 'Carlos Gardel', pan: PANS.carlos } },
      });
      expect(created.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(created.status).toBe(401);
      expect((await readCards(token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(await countCards(backends)).toBe(0);
    });

    it('a token with the right secret and audience is accepted (the cases above fail for their reason)', async () => {
      const token = await sign({ roles: ['clerk'], aud: AUDIENCE, exp: now() + 600 });
      expect((await readCards(token)).errors).toBeUndefined();
    });

    it('a role that may not call a mutation: FORBIDDEN and nothing written', async () => {
      const created = await api.gql(CREATE_CARD, {
        role: 'support',
        variables: { input: { name: 'Carlos Gardel', pan: PANS.carlos } },
      });
      expect(created.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await countCards(backends)).toBe(0);
    });
  });

  describe('invalid PANs', () => {
    const cases = Object.entries(INVALID_PANS);

    const expectRejected = async (answer: Awaited<ReturnType<TestApi['gql']>>, pans: string[]) => {
      expect(answer.errors?.length).toBeGreaterThan(0);
      for (const error of answer.errors ?? []) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      const body = JSON.stringify(answer);
      for (const pan of pans) for (const form of forms(pan)) expect(body).not.toContain(form);
      expect(await countCards(backends)).toBe(0);
    };

    it.each(cases)('%s, as a variable: BAD_USER_INPUT, not echoed, nothing written', async (_, pan) => {
      const answer = await api.gql(CREATE_CARD, { role: 'clerk', variables: { input: { name: 'Bad', pan } } });
      await expectRejected(answer, [pan]);
    });

    it.each(cases)('%s, as a literal: BAD_USER_INPUT, not echoed, nothing written', async (_, pan) => {
      const answer = await api.gql(`mutation { createCreditCard(input: { name: "Bad", pan: "${pan}" }) { id } }`, {
        role: 'clerk',
      });
      await expectRejected(answer, [pan]);
    });

    it.each(cases)('%s, inside a bulk with valid cards: BAD_USER_INPUT, nothing written', async (_, pan) => {
      const inputs = [
        { name: 'Good', pan: PANS.visa },
        { name: 'Bad', pan },
      ];
      await expectRejected(await api.gql(CREATE_CARDS, { role: 'clerk', variables: { inputs } }), [pan, PANS.visa]);
      const literal = `mutation { createCreditCards(inputs: [{ name: "Good", pan: "${PANS.visa}" }, { name: "Bad", pan: "${pan}" }]) { id } }`;
      await expectRejected(await api.gql(literal, { role: 'clerk' }), [pan, PANS.visa]);
    });

    it('a PAN of the wrong type: BAD_USER_INPUT, nothing written', async () => {
      const answer = await api.gql(CREATE_CARD, {
        role: 'clerk',
        variables: { input: { name: 'Bad', pan: 4539296620131157 } },
      });
      await expectRejected(answer, [PANS.carlos]);
    });
  });

  describe('limits and cursors', () => {
    it('a bulk above MAX_BULK_SIZE: BAD_USER_INPUT before encryption, nothing written', async () => {
      const inputs = [PANS.carlos, PANS.anibal, PANS.visa, PANS.mastercard].map((pan, index) => ({
        name: `Card ${index}`,
        pan,
      }));
      const encrypt = vi.spyOn(backends.transit, 'encrypt');
      backends.vaultRequests.length = 0;
      const answer = await api.gql(CREATE_CARDS, { role: 'clerk', variables: { inputs } });
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors?.[0]?.message).toContain('at most 3');
      expect(await countCards(backends)).toBe(0);
      // Refused before any PAN went to transit.
      expect(encrypt).not.toHaveBeenCalled();
      expect(backends.vaultRequests).toEqual([]);
      encrypt.mockRestore();
    });

    it('without first, a page is capped by a MAX_PAGE_SIZE below the default of 50', async () => {
      const answer = await api.gql('{ creditCards { nodes { id } pageInfo { hasNextPage } } }', { role: 'clerk' });
      expect(answer.errors).toBeUndefined();
    });

    it.each([
      ['first above MAX_PAGE_SIZE', '{ creditCards(first: 21) { nodes { id } } }'],
      ['first of 0', '{ creditCards(first: 0) { nodes { id } } }'],
      ['a negative first', '{ creditCards(first: -1) { nodes { id } } }'],
      ['a cursor this API did not issue', '{ creditCards(after: "not-a-cursor") { nodes { id } } }'],
      [
        'a cursor with a forged payload',
        `{ creditCards(after: "${Buffer.from("card:1'; drop table").toString('base64url')}") { nodes { id } } }`,
      ],
      ['an id that is not a uuid', '{ creditCard(id: "42") { id } }'],
    ])('%s: BAD_USER_INPUT', async (_, query) => {
      const answer = await api.gql(query, { role: 'clerk' });
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('one undecryptable row in a page', () => {
    it('fails that field with DECRYPTION_FAILED and returns the other rows', async () => {
      const inputs = [
        { name: 'Carlos Gardel', pan: PANS.carlos },
        { name: 'Aníbal Troilo', pan: PANS.anibal },
        { name: 'Visa Test', pan: PANS.visa },
      ];
      const created = await api.gql<{ createCreditCards: Array<{ id: string; pan: string }> }>(CREATE_CARDS, {
        role: 'clerk',
        variables: { inputs },
      });
      expect(created.errors).toBeUndefined();
      const [, middle] = created.data?.createCreditCards ?? [];
      const broken = tamper(middle?.pan ?? '');
      await overwritePan(backends, middle?.id ?? '', broken);

      const list = '{ creditCards { nodes { name pan } } }';
      const asProcessor = await api.gql<{ creditCards: { nodes: Array<{ name: string; pan: string | null }> } }>(list, {
        role: 'processor',
      });
      expect(asProcessor.data?.creditCards.nodes).toEqual([
        { name: 'Carlos Gardel', pan: PANS.carlos },
        { name: 'Aníbal Troilo', pan: null },
        { name: 'Visa Test', pan: PANS.visa },
      ]);
      expect(asProcessor.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
        [['creditCards', 'nodes', 1, 'pan'], 'DECRYPTION_FAILED'],
      ]);
      expect(asProcessor.errors?.[0]?.extensions?.reason).toBe('INVALID_CIPHERTEXT');

      const asSupport = await api.gql<{ creditCards: { nodes: Array<{ pan: string | null }> } }>(list, {
        role: 'support',
      });
      expect(asSupport.data?.creditCards.nodes.map((card) => card.pan)).toEqual([
        '************1157',
        null,
        '************1111',
      ]);

      const asClerk = await api.gql<{ creditCards: { nodes: Array<{ pan: string | null }> } }>(list, {
        role: 'clerk',
      });
      expect(asClerk.errors).toBeUndefined();
      expect(asClerk.data?.creditCards.nodes[1]?.pan).toBe(broken);
    });
  });

  describe('health endpoints', () => {
    it('/healthz and /readyz answer', async () => {
      const healthz = await fetch(api.url.replace(/\/graphql$/, '/healthz'));
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toEqual({ status: 'ok' });
      const readyz = await fetch(api.url.replace(/\/graphql$/, '/readyz'));
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toEqual({ status: 'ready', database: 'ok', transit: 'ok' });
    });
  });
});

describe.each(backendSets())('transit down during a mutation [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let failingTransit: Transit | undefined;
  let breakTransit: () => Promise<void>;
  const { logger, lines: logs } = capturedLogger('info');

  beforeAll(async () => {
    backends = await set.open();
    if (backends.transit.kind === 'embedded') {
      // A second embedded engine whose keyring lives in a file; corrupting the file makes it fail for real.
      const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-keyring-'));
      failingTransit = createTransit({
        kind: 'embedded',
        keyDir,
        masterKey: randomBytes(32),
        masterKeyFile: undefined,
        batching: backends.config.transit.batching,
      });
      api = await startTestApi({ ...backends, transit: failingTransit }, logger);
      breakTransit = async () => fs.writeFileSync(path.join(keyDir, 'keyring.json'), 'not a keyring');
    } else {
      api = await startTestApi(backends, logger);
      const transit = backends.config.transit;
      if (transit.kind !== 'vault' || transit.auth.method !== 'token') throw new Error('expected a token-auth Vault');
      const { address, mount, auth } = transit;
      breakTransit = async () => {
        const answer = await fetch(`${address}/v1/sys/mounts/${mount}`, {
          method: 'DELETE',
          headers: { 'X-Vault-Token': auth.token },
        });
        expect(answer.status).toBe(204);
      };
    }
  });
  afterAll(async () => {
    await api?.close();
    await failingTransit?.close();
    await backends?.close();
  });

  it('answers ENCRYPTION_UNAVAILABLE and writes nothing, single or bulk', async () => {
    const before = await api.gql(CREATE_CARD, {
      role: 'clerk',
      variables: { input: { name: 'Before', pan: PANS.visa } },
    });
    expect(before.errors).toBeUndefined();
    expect(await countCards(backends)).toBe(1);

    await breakTransit();

    const single = await api.gql(CREATE_CARD, {
      role: 'clerk',
      variables: { input: { name: 'Carlos Gardel', pan: PANS.carlos } },
    });
    expect(single.errors?.map((error) => error.extensions?.code)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    const bulk = await api.gql(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'Carlos Gardel', pan: PANS.carlos },
          { name: 'Aníbal Troilo', pan: PANS.anibal },
        ],
      },
    });
    expect(bulk.errors?.map((error) => error.extensions?.code)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    for (const answer of [single, bulk]) {
      const body = JSON.stringify(answer);
      for (const pan of [PANS.carlos, PANS.anibal]) for (const form of forms(pan)) expect(body).not.toContain(form);
    }
    expect(await countCards(backends)).toBe(1);

    const readyz = await fetch(api.url.replace(/\/graphql$/, '/readyz'));
    expect(readyz.status).toBe(503);
    expect(await readyz.json(), 'an unauthenticated caller learns which component, not why').toEqual({
      status: 'unavailable',
      database: 'ok',
      transit: 'unavailable',
    });
    const logged = logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'not ready');
    expect(logged, 'the details go to the log').toMatchObject([{ level: 40, component: 'transit' }]);
    expect(String(logged[0]?.detail).length).toBeGreaterThan(0);
  });
});
