import { SignJWT } from 'jose';
import type { AuthConfig } from '../config.ts';

/** Signs an HS256 token for local use (development tokens, the processor's self-issued token). */
export async function issueToken(config: AuthConfig, roles: readonly string[], subject: string, ttl = config.tokenTtl) {
  if (config.kind !== 'secret') {
    throw new Error(
      'tokens can only be issued with AUTH_JWT_SECRET; with AUTH_JWKS_URL your identity provider issues them',
    );
  }
  let jwt = new SignJWT({ [config.rolesClaim]: [...roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(ttl);
  if (config.issuer !== undefined) jwt = jwt.setIssuer(config.issuer);
  if (config.audience !== undefined) jwt = jwt.setAudience(config.audience);
  return jwt.sign(new TextEncoder().encode(config.secret));
}

/** Issues tokens for GraphiQL's presets while the development secret is in use; undefined otherwise. */
export function developmentTokenIssuer(config: AuthConfig): ((role: string) => Promise<string>) | undefined {
  if (config.kind !== 'secret' || !config.isDevelopmentSecret) return undefined;
  return (role) => issueToken(config, [role], `dev-${role}`);
}
