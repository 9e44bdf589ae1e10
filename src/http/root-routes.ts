import { Router } from 'express';

/**
 * `GET /` tells a visitor where things are (a browser goes to GraphiQL when it is on), and
 * `/favicon.ico` answers 204 so that no client logs a 404 for it.
 */
export function rootRoutes(options: { endpoint: string; graphiql: boolean }): Router {
  const router = Router();
  router.get('/', (request, response) => {
    if (options.graphiql && request.accepts(['application/json', 'text/html']) === 'text/html') {
      return response.redirect(302, options.endpoint);
    }
    response.json({
      service: 'transitql',
      graphql: `POST ${options.endpoint}${options.graphiql ? ` (GraphiQL: open ${options.endpoint} in a browser)` : ''}`,
      health: ['/healthz', '/readyz'],
      metrics: '/metrics',
    });
  });
  router.get('/favicon.ico', (_request, response) => {
    response.status(204).end();
  });
  return router;
}
