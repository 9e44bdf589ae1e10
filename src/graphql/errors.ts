import { GraphQLError } from 'graphql';

/** The error codes a client can act on, carried in `extensions.code`. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'ENCRYPTION_UNAVAILABLE'
  | 'DECRYPTION_FAILED'
  | 'KEY_OPERATION_FAILED'
  /** A create with onDuplicate: REJECT met a card number on file (or twice in the batch). */
  | 'DUPLICATE'
  | 'INTERNAL_SERVER_ERROR';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401 };

export function graphqlError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  cause?: Error,
): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status === undefined ? {} : { http: { status } }) },
    ...(cause === undefined ? {} : { originalError: cause }),
  });
}

export const unauthenticated = (message: string) => graphqlError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => graphqlError('FORBIDDEN', message);
export const badUserInput = (message: string, extensions?: Record<string, unknown>) =>
  graphqlError('BAD_USER_INPUT', message, extensions);
