import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { type JwksServer, startJwksServer } from '../support/jwks-server.ts';

const SECRET = 'jwt-attack-test-secret-0123456789abcdefgh';
const ISSUER = 'https://idp.transitql.test/';
const AUDIENCE = 'transitql';
const ME = '{ me { subject roles } }';
const now = () => Math.floor(Date.now() / 1000);
const embedded = backendSets().filter((set) => set.name === 'embedded');

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    sub: 'mallory',
    roles: ['processor'],
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
}

const hs256 = (payload: JWTPayload, secret: string | Uint8Array = SECRET) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);

async function expectRejected(api: TestApi, token: string, reason: string) {
  const response = await api.gql(ME, { token });
  expect(response.status).toBe(401);
  expect(response.data?.me ?? null).toBeNull();
  expect(response.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
    ['UNAUTHENTICATED', `Invalid token: ${reason}`],
  ]);
}

describe.each(embedded)('JWT attacks on HS256 with issuer and audience [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    backends = await set.open({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    api = await startTestApi(backends);
    rsa = await generateKeyPair('RS256');
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('accepts a well-formed token (the control case)', async () => {
    const response = await api.gql(ME, { token: await hs256(claims()) });
    expect(response.data).toEqual({ me: { subject: 'mallory', roles: ['processor'] } });
  });

  it('rejects alg: none', async () => {
    await expectRejected(api, new UnsecuredJWT(claims()).encode(), 'token algorithm is not accepted');
  });

  it('rejects alg: none with a signature copied from a valid token', async () => {
    const valid = await hs256(claims());
    const unsigned = new UnsecuredJWT(claims({ roles: ['key-admin'] })).encode();
    await expectRejected(api, `${unsigned}${valid.split('.')[2]}`, 'token algorithm is not accepted');
  });

  it('rejects an RS256 token (RS/HS confusion)', async () => {
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
    await expectRejected(api, token, 'token algorithm is not accepted');
  });

  it('rejects a token signed with the wrong secret', async () => {
    await expectRejected(api, await hs256(claims(), `${SECRET}-but-not-quite`), 'token signature is invalid');
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await hs256(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ roles: ['key-admin'] }))).toString('base64url');
    await expectRejected(api, `${header}.${forged}.${signature}`, 'token signature is invalid');
  });

  it('rejects an expired token', async () => {
    await expectRejected(api, await hs256(claims({ iat: now() - 7200, exp: now() - 3600 })), 'token has expired');
  });

  it('rejects a token without an expiry', async () => {
    const { exp: _exp, ...payload } = claims();
    await expectRejected(api, await hs256(payload), 'token claim "exp" is invalid');
  });

  it('rejects a token that is not valid yet', async () => {
    await expectRejected(api, await hs256(claims({ nbf: now() + 3600 })), 'token is not valid yet');
  });

  it('rejects the wrong issuer', async () => {
    await expectRejected(api, await hs256(claims({ iss: 'https://evil.example/' })), 'token claim "iss" is invalid');
  });

  it('rejects the wrong audience', async () => {
    await expectRejected(api, await hs256(claims({ aud: 'another-api' })), 'token claim "aud" is invalid');
  });

  it('rejects a token without the roles claim', async () => {
    const { roles: _roles, ...payload } = claims();
    await expectRejected(api, await hs256(payload), 'token has no "roles" claim');
  });

  it('rejects a roles claim of the wrong type', async () => {
    await expectRejected(api, await hs256(claims({ roles: { admin: true } })), 'token has no "roles" claim');
  });

  it('rejects garbage in place of a token', async () => {
    await expectRejected(api, 'not.a.jwt', 'token is malformed');
  });
});

describe.each(embedded)('JWT attacks on JWKS (RS256) [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let jwks: JwksServer;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwks = await startJwksServer([publicJwk]);
    backends = await set.open({
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
    await jwks?.close();
  });

  const rs256 = (payload: JWTPayload, key = rsa.privateKey) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key);

  it('accepts a token signed by the published key (the control case)', async () => {
    const response = await api.gql(ME, { token: await rs256(claims()) });
    expect(response.data).toEqual({ me: { subject: 'mallory', roles: ['processor'] } });
  });

  it('rejects HS256 signed with the public key as the HMAC secret (HS/RS confusion)', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'test-key' }).sign(pem);
    await expectRejected(api, token, 'token algorithm is not accepted');
  });

  it('rejects alg: none', async () => {
    await expectRejected(api, new UnsecuredJWT(claims()).encode(), 'token algorithm is not accepted');
  });

  it('rejects a token signed by another RSA key under the same kid', async () => {
    const other = await generateKeyPair('RS256');
    await expectRejected(api, await rs256(claims(), other.privateKey), 'token signature is invalid');
  });

  it('rejects expired, not-yet-valid, wrong issuer, wrong audience and roleless tokens', async () => {
    const { roles: _roles, ...roleless } = claims();
    await expectRejected(api, await rs256(claims({ exp: now() - 60 })), 'token has expired');
    await expectRejected(api, await rs256(claims({ nbf: now() + 3600 })), 'token is not valid yet');
    await expectRejected(api, await rs256(claims({ iss: 'https://evil.example/' })), 'token claim "iss" is invalid');
    await expectRejected(api, await rs256(claims({ aud: 'another-api' })), 'token claim "aud" is invalid');
    await expectRejected(api, await rs256(roleless), 'token has no "roles" claim');
  });
});
