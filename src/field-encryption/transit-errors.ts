import { TransitError, type TransitErrorCode } from './transit/transit.ts';

/**
 * What a client may learn of a transit failure. Messages of refused requests and bad ciphertext name
 * the operation and key, which the client may know; an unavailable backend's message names its
 * address or files, which go to the log only (see format-error.ts).
 */
export function transitFailureForClient(error: unknown): { reason: TransitErrorCode | 'UNKNOWN'; description: string } {
  if (!(error instanceof TransitError)) return { reason: 'UNKNOWN', description: 'the transit request failed' };
  if (error.code === 'UNAVAILABLE') {
    return {
      reason: error.code,
      description: 'the transit backend is unavailable (down, sealed or not answering in time)',
    };
  }
  return { reason: error.code, description: error.message };
}
