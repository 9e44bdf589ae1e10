import { Router } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { Transit } from '../field-encryption/index.ts';

const READINESS_TIMEOUT_MS = 2_000;

/**
 * `/healthz`: the process is up. `/readyz`: the database answers, and the transit backend answers
 * and still holds every key the schema encrypts with (a deleted mount or a broken keyring counts).
 * Both are unauthenticated: they say ok or unavailable per component; why goes to the log (driver
 * messages name internal addresses).
 */
export function healthRoutes(database: Database, transit: Transit, keys: ReadonlySet<string>, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', async (_request, response) => {
    const [databaseStatus, transitStatus] = await Promise.all([
      probe(() => database.ping()),
      probe(async () => {
        await transit.health();
        await Promise.all([...keys].map((key) => transit.readKey(key)));
      }),
    ]);
    const statuses = { database: databaseStatus, transit: transitStatus };
    for (const [component, status] of Object.entries(statuses)) {
      if (status !== 'ok') logger.warn({ component, detail: status.detail }, 'not ready');
    }
    const ready = databaseStatus === 'ok' && transitStatus === 'ok';
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      database: databaseStatus === 'ok' ? 'ok' : 'unavailable',
      transit: transitStatus === 'ok' ? 'ok' : 'unavailable',
    });
  });
  return router;
}

async function probe(check: () => Promise<void>): Promise<'ok' | { detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)),
          READINESS_TIMEOUT_MS,
        );
      }),
    ]);
    return 'ok';
  } catch (error) {
    return { detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
