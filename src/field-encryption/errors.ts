import { GraphQLError } from 'graphql';
import { transitFailureForClient } from './transit-errors.ts';

/** The codes field encryption answers with, in `extensions.code`. */
export type FieldEncryptionErrorCode =
  | 'ENCRYPTION_UNAVAILABLE'
  | 'DECRYPTION_FAILED'
  | 'BAD_USER_INPUT'
  | 'REQUEST_BUDGET_EXCEEDED'
  | 'RATE_LIMITED';

export function fieldEncryptionError(
  code: FieldEncryptionErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  cause?: unknown,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...extensions },
    ...(cause instanceof Error ? { originalError: cause } : {}),
  });
}

/** A failed encryption fails the whole mutation: nothing is written. */
export function encryptionUnavailable(error: unknown): GraphQLError {
  const { reason, description } = transitFailureForClient(error);
  return fieldEncryptionError(
    'ENCRYPTION_UNAVAILABLE',
    `Encryption is unavailable, nothing was written: ${description}`,
    { reason },
    error,
  );
}

/** A failed decryption fails that field only. */
export function decryptionFailed(where: string, error: unknown): GraphQLError {
  const { reason, description } = transitFailureForClient(error);
  return fieldEncryptionError(
    'DECRYPTION_FAILED',
    `${where} could not be decrypted: ${description}`,
    { reason },
    error,
  );
}
