import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { type JwksServer, startJwksServer } from '../support/jwks-server.ts';

const ISSUER = 'https://idp.transitql.test/';
const AUDIENCE = 'transitql-api';
const KID = 'test-key-1';
const ME = '{ me { subject roles } }';

describe.each(backendSets())('JWKS authentication [$name]', (set) => {
  let jwksServer: JwksServer;
  let backends: Backends;
  let api: TestApi;
  let privateKey: CryptoKey;
  let publicKeyPem: string;

  const rs256 = (claims: { iss?: string; aud?: string } = {}, key: CryptoKey = privateKey) =>
    new SignJWT({ roles: ['processor'] })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setSubject('card-processor')
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setExpirationTime('10m')
      .sign(key);

  beforeAll(async () => {
    const keys = await generateKeyPair('RS256');
    privateKey = keys.privateKey;
    publicKeyPem = await exportSPKI(keys.publicKey);
    jwksServer = await startJwksServer([{ ...(await exportJWK(keys.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }]);
    backends = await set.open({
      AUTH_JWKS_URL: jwksServer.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
    await jwksServer?.close();
  });

  it('accepts an RS256 token signed by a key from the JWKS', async () => {
    const answer = await api.gql(ME, { token: await rs256() });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ me: { subject: 'card-processor', roles: ['processor'] } });
    expect(jwksServer.requests).toBeGreaterThan(0);
  });

  it('rejects an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    const confused = await new SignJWT({ roles: ['processor'] })
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(publicKeyPem));
    const answer = await api.gql(ME, { token: confused });
    expect(answer.data).toEqual({ me: null });
    expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(answer.errors?.[0]?.message).toContain('algorithm is not accepted');
  });

  it.each([
    ['another key under the same kid', async () => rs256({}, (await generateKeyPair('RS256')).privateKey)],
    ['a wrong issuer', () => rs256({ iss: 'https://evil.example/' })],
    ['a wrong audience', () => rs256({ aud: 'another-api' })],
  ])('rejects a token signed with %s', async (_, makeToken) => {
    const answer = await api.gql(ME, { token: await makeToken() });
    expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
