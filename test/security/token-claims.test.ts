import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { useApiPerTest, useTestApi } from '../support/api.ts';
import { backendSets, testConfig } from '../support/backends.ts';

const ME = '{ me { subject roles } }';
const HOUR = 3600;

describe.each(backendSets())('token claims the API insists on [$name]', (set) => {
  const suite = useTestApi(set);

  async function sign(claims: Record<string, unknown>, { lifetime = HOUR, issuedAgo = 0 } = {}) {
    const { auth } = suite.backends.config;
    if (auth.kind !== 'secret') throw new Error('the test API signs with a shared secret');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: ['processor'], iat: now - issuedAgo, exp: now - issuedAgo + lifetime, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(auth.secret));
  }

  async function answer(token: string) {
    const response = await suite.api.gql<{ me: { subject: string } }>(ME, { token });
    return { status: response.status, code: response.errors?.[0]?.extensions?.code, me: response.data?.me ?? null };
  }

  it.each([
    ['no sub', {}],
    ['a numeric sub', { sub: 42 }],
    ['an array sub', { sub: ['a', 'b'] }],
    ['an empty sub', { sub: '' }],
    ['a blank sub', { sub: '   ' }],
  ])(
    'refuses a token with %s (it would share a made-up subject, and its claims, with others)',
    async (_name, claims) => {
      expect(await answer(await sign(claims))).toEqual({ status: 401, code: 'UNAUTHENTICATED', me: null });
    },
  );

  it('refuses tokens living longer than MAX_TOKEN_TTL (24 h by default), counted from iat or from now', async () => {
    const decades = await sign({ sub: 'forever' }, { lifetime: 30 * 365 * 24 * HOUR });
    const day = await sign({ sub: 'day-and-a-bit' }, { lifetime: 25 * HOUR });
    const backdated = await sign({ sub: 'backdated', iat: 0 }, { lifetime: 20 * HOUR });
    const noIat = await new SignJWT({ roles: ['processor'], sub: 'no-iat' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('48h')
      .sign(new TextEncoder().encode((suite.backends.config.auth as { secret: string }).secret));
    for (const token of [decades, day, backdated, noIat]) {
      expect(await answer(token)).toEqual({ status: 401, code: 'UNAUTHENTICATED', me: null });
    }
  });

  it('accepts a token with a string sub living up to MAX_TOKEN_TTL', async () => {
    const token = await sign({ sub: 'card-processor' }, { lifetime: 23 * HOUR });
    expect(await answer(token)).toEqual({
      status: 200,
      code: undefined,
      me: { subject: 'card-processor', roles: ['processor'] },
    });
  });
});

describe.each(backendSets())('a MAX_TOKEN_TTL other than the default [$name]', (set) => {
  const start = useApiPerTest(set);

  it('refuses a token living longer than MAX_TOKEN_TTL=1h and accepts one living less', async () => {
    const env = { MAX_TOKEN_TTL: '1h', AUTH_TOKEN_TTL: '30m' };
    const api = await start(env);
    const { auth } = testConfig(env);
    if (auth.kind !== 'secret') throw new Error('the test API signs with a shared secret');
    expect(auth.maxTokenTtlSeconds).toBe(HOUR);
    const now = Math.floor(Date.now() / 1000);
    const signed = (sub: string, iat: number | undefined, exp: number) =>
      new SignJWT({ roles: ['processor'], sub, exp, ...(iat === undefined ? {} : { iat }) })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(auth.secret));
    const answer = async (token: string) => {
      const response = await api.gql<{ me: { subject: string } }>(ME, { token });
      return { status: response.status, code: response.errors?.[0]?.extensions?.code, me: response.data?.me ?? null };
    };
    const refused = { status: 401, code: 'UNAUTHENTICATED', me: null };
    // Accepted under the 24 h default, refused under 1 h: from iat, and from now.
    expect(await answer(await signed('two-hours', now, now + 2 * HOUR))).toEqual(refused);
    expect(await answer(await signed('seventy-minutes', now - 30 * 60, now + 40 * 60))).toEqual(refused);
    expect(await answer(await signed('no-iat', undefined, now + 65 * 60))).toEqual(refused);
    expect(await answer(await signed('fifty-minutes', now, now + 50 * 60))).toEqual({
      status: 200,
      code: undefined,
      me: { subject: 'fifty-minutes', roles: ['processor'] },
    });
    const issued = await api.gql<{ me: { subject: string } }>(ME, { token: await api.token('processor') });
    expect(issued.errors, 'a token `npm run token` issues under AUTH_TOKEN_TTL=30m').toBeUndefined();
  });
});

describe('MAX_TOKEN_TTL', () => {
  it('bounds AUTH_TOKEN_TTL, so `npm run token` cannot issue tokens the API refuses', () => {
    expect(() => loadConfig({ AUTH_TOKEN_TTL: '48h' })).toThrow(
      /^AUTH_TOKEN_TTL must not exceed MAX_TOKEN_TTL \(24h\)/,
    );
    expect(loadConfig({ AUTH_TOKEN_TTL: '48h', MAX_TOKEN_TTL: '2d' }).auth.maxTokenTtlSeconds).toBe(172_800);
  });
});
