import type { RequestHandler } from 'express';
import { hostnameOf } from './hosts.ts';

/** Which Host headers the API answers; `any` when it listens on every interface and ALLOWED_HOSTS is unset. */
export type AllowedHosts = { kind: 'any' } | { kind: 'list'; hostnames: ReadonlySet<string> };

/**
 * Refuses, on every route, requests whose Host the API does not serve: a page on another site that
 * re-points its own name at this server (DNS rebinding) gets 421 instead of the API's answers.
 * A request without Host (HTTP/1.0) gets 400.
 */
export function hostAllowList(allowed: AllowedHosts): RequestHandler {
  return (request, response, next) => {
    if (allowed.kind === 'any') return next();
    const header = request.headers.host;
    if (header === undefined || header === '') {
      response.status(400).json(refusal('The request has no Host header'));
      return;
    }
    if (allowed.hostnames.has(hostnameOf(header))) return next();
    response.status(421).json(refusal('This server does not answer for the requested Host (see ALLOWED_HOSTS)'));
  };
}

function refusal(message: string) {
  return { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] };
}
