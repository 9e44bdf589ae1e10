import type { GraphQLError } from 'graphql';

/** Who is calling, as established from the bearer token. */
export interface Principal {
  subject: string;
  roles: ReadonlySet<string>;
}

/** The outcome of authenticating a request: a principal, no token at all, or a token that was rejected. */
export type Authentication =
  | { status: 'authenticated'; principal: Principal }
  | { status: 'anonymous' }
  | { status: 'rejected'; error: GraphQLError };
