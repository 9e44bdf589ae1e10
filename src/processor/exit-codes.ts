/** How `npm run processor` ends; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The run finished but some cards failed; they stay pending for a retry (or FAILED after too many). */
  cardsFailed: 1,
  usage: 2,
  /** The API could not be reached or failed the request as a whole. */
  apiUnavailable: 3,
  /** The token was rejected (UNAUTHENTICATED) or lacks the processor role (FORBIDDEN). */
  accessDenied: 4,
} as const;
