import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { invalidTextCode, isDatabaseUnavailable } from '../db/database-errors.ts';
import { TransitError, type TransitErrorCode, transitFailureForClient } from '../field-encryption/index.ts';
import { maskPans } from '../text/pan-detector.ts';

const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'ENCRYPTION_UNAVAILABLE',
  'DECRYPTION_FAILED',
  'KEY_OPERATION_FAILED',
  'DUPLICATE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Codes whose messages quote names the client chose in the document; a card number in one is masked. */
const NAME_ECHOING_CODES = new Set(['GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST']);

const TRANSIT_CODES: Record<TransitErrorCode, string> = {
  MALFORMED_CIPHERTEXT: 'DECRYPTION_FAILED',
  INVALID_CIPHERTEXT: 'DECRYPTION_FAILED',
  VERSION_RETIRED: 'DECRYPTION_FAILED',
  VERSION_UNKNOWN: 'DECRYPTION_FAILED',
  KEY_NOT_FOUND: 'KEY_OPERATION_FAILED',
  INVALID_REQUEST: 'BAD_USER_INPUT',
  FORBIDDEN: 'FORBIDDEN',
  UNAVAILABLE: 'ENCRYPTION_UNAVAILABLE',
};

/**
 * Shapes every error a client sees: input values are never echoed (a rejected PAN must not come
 * back in the error), transit failures keep their typed cause, and anything unexpected becomes a
 * logged INTERNAL_SERVER_ERROR with no stack, SQL or driver text.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const transitCause = original instanceof GraphQLError ? original.originalError : original;
    if (transitCause instanceof TransitError) {
      logger.warn({ path: formatted.path, code: transitCause.code, detail: transitCause.message }, 'transit failure');
    }
    if (original instanceof TransitError) {
      return {
        message: transitFailureForClient(original).description,
        ...(formatted.path === undefined ? {} : { path: formatted.path }),
        extensions: { code: TRANSIT_CODES[original.code], reason: original.code },
      };
    }
    if (isDatabaseUnavailable(original)) {
      logger.warn({ path: formatted.path, err: describeInternal(original) }, 'database unavailable');
      return {
        message: 'The database is unavailable: the request was not completed, and nothing it started was kept',
        ...(formatted.path === undefined ? {} : { path: formatted.path }),
        extensions: { code: 'DATABASE_UNAVAILABLE' },
      };
    }
    const invalidText = invalidTextCode(original);
    if (invalidText !== undefined) {
      // The caller's value, not the server: a NUL in a string argument that reached the database.
      logger.warn({ path: formatted.path, sqlState: invalidText }, 'text refused by the database');
      return {
        message: 'A text argument holds a character the database cannot store (such as NUL)',
        ...(formatted.path === undefined ? {} : { path: formatted.path }),
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    const code = String(formatted.extensions?.code ?? '');
    if (
      CLIENT_CODES.has(code) ||
      (original instanceof GraphQLError && original.extensions?.code !== undefined && code !== 'INTERNAL_SERVER_ERROR')
    ) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      if (isRefusedLiteral(code, error)) extensions.code = 'BAD_USER_INPUT';
      const message = redactInputEcho(formatted.message, error);
      // Validation and operation-resolution messages repeat the document's names ("Variable "$x" is never used").
      return { ...formatted, message: NAME_ECHOING_CODES.has(code) ? maskPans(message) : message, extensions };
    }
    const errorId = crypto.randomUUID();
    logger.error({ errorId, path: formatted.path, err: describeInternal(original) }, 'internal error');
    return {
      message: `Internal server error (error id ${errorId})`,
      ...(formatted.path === undefined ? {} : { path: formatted.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  };
}

/**
 * A literal the scalar refused (an invalid PAN written into the query) fails validation; it is the
 * same mistake as an invalid variable, so it gets the same code: BAD_USER_INPUT.
 */
function isRefusedLiteral(code: string, error: unknown): boolean {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  return (
    code === 'GRAPHQL_VALIDATION_FAILED' &&
    original instanceof GraphQLError &&
    original.extensions.code === 'BAD_USER_INPUT'
  );
}

/** Names the error class and message; drivers put query parameters in other fields, which are left out. */
function describeInternal(error: unknown): { type: string; message: string } {
  if (error instanceof Error) return { type: error.name, message: error.message.split('\nparams:')[0] ?? '' };
  return { type: typeof error, message: 'non-error thrown' };
}

/**
 * graphql-js repeats rejected input values in its coercion messages
 * (`Variable "$input" got invalid value "4539…" at "input.pan"; …`); keep the location and the
 * reason, drop the value.
 */
function redactInputEcho(message: string, error: unknown): string {
  const reason = innerReason(error);
  const variable = /^Variable "\$([^"]+)" got invalid value/.exec(message);
  if (variable !== null) {
    const name = variable[1] ?? '';
    const at = message.lastIndexOf(` at "${name}`);
    const location = at === -1 ? '' : message.slice(at, message.indexOf('"', at + 5) + 1);
    return `Variable "$${name}" got invalid value${location}${reason === undefined ? '' : `; ${reason}`}`;
  }
  const literal = /^Expected value of type "([^"]+)", found /.exec(message);
  if (literal !== null) {
    return `Expected value of type "${literal[1]}"${reason === undefined ? ', found an invalid value.' : `; ${reason}`}`;
  }
  return stripSyntaxEcho(stripEnumEcho(stripScalarEcho(message)));
}

/** `Syntax Error: Unexpected Int "4539…".` → `Syntax Error: Unexpected Int.`: the location says where. */
function stripSyntaxEcho(message: string): string {
  if (!message.startsWith('Syntax Error: ')) return message;
  return message.replace(/:?\s*"[\s\S]*$/, '.');
}

/** `Value "4539…" does not exist in "CardStatus" enum.` → `Value does not exist in "CardStatus" enum.` */
function stripEnumEcho(message: string): string {
  return message.replace(
    /^Value [\s\S]* does not exist in "(\w+)" enum\.[\s\S]*$/,
    'Value does not exist in "$1" enum.',
  );
}

function innerReason(error: unknown): string | undefined {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original === undefined || original === null) return undefined;
  return stripEnumEcho(stripScalarEcho(original.message));
}

/** `String cannot represent a non string value: 4539…` → `String cannot represent a non string value`. */
function stripScalarEcho(message: string): string {
  return message.replace(/^(.+? cannot represent [^:]+?):[\s\S]*$/, '$1');
}
