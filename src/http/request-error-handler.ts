import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';

const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'Request body is not valid JSON',
  'entity.too.large': 'Request body is too large',
  'encoding.unsupported': 'Request body encoding is not supported',
  'charset.unsupported': 'Request body charset is not supported',
};

/**
 * Answers errors raised before GraphQL runs (body parsing) as GraphQL-shaped JSON; express's own
 * handler would answer HTML with a stack trace outside production.
 */
export function requestErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: { status?: unknown; type?: unknown; message?: unknown }, _request, response, _next) => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message =
      status === 500 ? 'Internal server error' : (BODY_ERRORS[String(error.type)] ?? 'Request could not be read');
    if (status === 500)
      logger.error({ err: { type: String(error.type), message: String(error.message) } }, 'request failed');
    response
      .status(status)
      .json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  };
}
