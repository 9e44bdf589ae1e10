import { createRequire } from 'node:module';
import path from 'node:path';
import { type Request, Router } from 'express';
import { PROJECT_ROOT } from '../../project-root.ts';
import { hostnameOf, isLoopbackHost } from '../hosts.ts';
import { exampleTabs } from './example-tabs.ts';
import { renderGraphiQLPage } from './page.ts';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const ASSETS_PATH = '/graphiql-assets';

/** The files the page loads, all from installed packages: nothing is fetched from the internet. */
const ASSETS: Record<string, string> = {
  'react.production.min.js': path.join(packageDir('react'), 'umd/react.production.min.js'),
  'react-dom.production.min.js': path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
  'graphiql.min.js': path.join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.min.css': path.join(packageDir('graphiql'), 'graphiql.min.css'),
  'start-graphiql.js': path.join(PROJECT_ROOT, 'src/http/graphiql/start-graphiql.js'),
};

/** The page may load and talk to this server only (and use the data: fonts inside GraphiQL's CSS). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface GraphiQLOptions {
  /** Where the page sends operations, e.g. /graphql. */
  endpoint: string;
  /** Issues a token for a role to preset in the example tabs' headers; undefined leaves a placeholder. */
  tokenFor: ((role: string) => Promise<string>) | undefined;
  /** Whether the server listens on loopback only; otherwise the page never carries tokens. */
  listensOnLoopback: boolean;
}

/** GraphiQL for browsers: GET `endpoint` asking for HTML answers the page; everything else goes on to the API. */
export function graphiqlRoutes(options: GraphiQLOptions): Router {
  const router = Router();
  router.get(`${ASSETS_PATH}/:file`, (request, response, next) => {
    const file = ASSETS[request.params.file];
    if (file === undefined) return next();
    response.sendFile(file, { maxAge: '1h' });
  });
  router.get(options.endpoint, async (request, response, next) => {
    if (!wantsHtml(request)) return next();
    const tabs = await exampleTabs(onLoopback(request, options) ? options.tokenFor : undefined);
    response
      .set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(renderGraphiQLPage({ assetsPath: ASSETS_PATH, endpoint: options.endpoint, tabs }));
  });
  return router;
}

/**
 * Development tokens go only to a page both asked for and served on this machine: a page reached
 * through another name (DNS rebinding) or over the network gets placeholders.
 */
function onLoopback(request: Request, options: GraphiQLOptions): boolean {
  return options.listensOnLoopback && isLoopbackHost(hostnameOf(request.headers.host ?? ''));
}

function wantsHtml(request: Request): boolean {
  return request.query.query === undefined && request.accepts(['application/json', 'text/html']) === 'text/html';
}
