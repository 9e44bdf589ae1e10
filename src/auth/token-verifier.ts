import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import type { AuthConfig } from '../config.ts';
import type { Principal } from './principal.ts';

/** Why a bearer token was refused; the message is safe to return to the caller. */
export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** Verifies JWTs with jose: HS256 with a shared secret, or asymmetric keys from a JWKS URL. */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const key =
    config.kind === 'secret' ? new TextEncoder().encode(config.secret) : createRemoteJWKSet(new URL(config.jwksUrl));
  const algorithms = config.kind === 'secret' ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'EdDSA'];
  return async (token) => {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms,
        requiredClaims: ['exp'],
        ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
        ...(config.audience === undefined ? {} : { audience: config.audience }),
      };
      payload = (
        typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options)
      ).payload;
    } catch (error) {
      throw new TokenRejectedError(describe(error));
    }
    const roles = rolesFrom(payload[config.rolesClaim]);
    if (roles === undefined) throw new TokenRejectedError(`token has no "${config.rolesClaim}" claim`);
    // The subject owns claims and leases: tokens without one must not share a made-up one.
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
      throw new TokenRejectedError('token has no "sub" claim (a non-empty string)');
    }
    if (livesTooLong(payload, config.maxTokenTtlSeconds)) {
      throw new TokenRejectedError('token lives longer than this API accepts (MAX_TOKEN_TTL)');
    }
    return { subject: payload.sub, roles: new Set(roles) };
  };
}

/** exp was required above; a lifetime longer than allowed, counted from iat or from now, is refused. */
function livesTooLong(payload: JWTPayload, maxSeconds: number): boolean {
  const expiry = payload.exp ?? Number.POSITIVE_INFINITY;
  const now = Math.floor(Date.now() / 1000);
  return expiry - now > maxSeconds || (typeof payload.iat === 'number' && expiry - payload.iat > maxSeconds);
}

function rolesFrom(claim: unknown): string[] | undefined {
  if (Array.isArray(claim) && claim.every((role) => typeof role === 'string')) return claim;
  if (typeof claim === 'string') return claim.split(/[\s,]+/).filter(Boolean);
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token is not valid yet';
    return `token claim "${error.claim}" is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token was signed by an unknown key';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'token is malformed';
  return 'token could not be verified';
}
