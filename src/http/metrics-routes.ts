import { Router } from 'express';
import type { Metrics } from '../metrics/metrics.ts';

const KNOWN_ROUTES = new Set(['/graphql', '/metrics', '/healthz', '/readyz']);

/** Times every HTTP request and serves the registry in Prometheus text format on `/metrics`. */
export function metricsRoutes(metrics: Metrics): Router {
  const router = Router();
  router.use((request, response, next) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    // Read now: mounted routers rewrite the path. Unknown paths share one label, so that scanners cannot grow the series.
    const route = KNOWN_ROUTES.has(request.path) ? request.path : 'other';
    response.once('finish', () => {
      stopTimer({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  });
  router.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
