const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown: the backend was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/**
 * True when a query failed because the database could not be reached or dropped the connection
 * (SQLSTATE class 08 and the shutdown codes, or postgres.js's own connection codes), looking
 * through drizzle's wrapping `cause`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = String((current as { code?: unknown }).code ?? '');
    if (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * SQLSTATEs for text PostgreSQL cannot store: 22021 character_not_in_repertoire (a NUL, or bytes that are
 * not UTF-8) and 22P05 untranslatable_character. A client's value caused them, not the server.
 */
const INVALID_TEXT_CODES = new Set(['22021', '22P05']);

/** The SQLSTATE when a query failed on text the database cannot store (a NUL in a string argument), looking through drizzle's `cause`. */
export function invalidTextCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = String((current as { code?: unknown }).code ?? '');
    if (INVALID_TEXT_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}
