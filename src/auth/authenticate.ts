import { unauthenticated } from '../graphql/errors.ts';
import type { Authentication } from './principal.ts';
import { TokenRejectedError, type TokenVerifier } from './token-verifier.ts';

/**
 * Reads `Authorization: Bearer <JWT>`. Never throws: a rejected token is recorded and reported by
 * the first field that needs a principal, so schema introspection (GraphiQL's docs) still works.
 */
export async function authenticate(header: string | undefined, verify: TokenVerifier): Promise<Authentication> {
  if (header === undefined || header.trim() === '') return { status: 'anonymous' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    return { status: 'rejected', error: unauthenticated('Authorization header must be "Bearer <token>"') };
  }
  try {
    return { status: 'authenticated', principal: await verify(match[1]) };
  } catch (error) {
    const reason = error instanceof TokenRejectedError ? error.message : 'token could not be verified';
    return { status: 'rejected', error: unauthenticated(`Invalid token: ${reason}`) };
  }
}
