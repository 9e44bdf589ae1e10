import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';

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

describe('MAX_TOKEN_TTL', () => {
  it('bounds AUTH_TOKEN_TTL, so `npm run token` cannot issue tokens the API refuses', () => {
    expect(() => loadConfig({ AUTH_TOKEN_TTL: '48h' })).toThrow(
      /^AUTH_TOKEN_TTL must not exceed MAX_TOKEN_TTL \(24h\)/,
    );
    expect(loadConfig({ AUTH_TOKEN_TTL: '48h', MAX_TOKEN_TTL: '2d' }).auth.maxTokenTtlSeconds).toBe(172_800);
  });
});
