import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Logger } from 'pino';
import { developmentTokenIssuer } from './auth/token-issuer.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import { CardRepository } from './cards/card-repository.ts';
import type { Config } from './config.ts';
import { type Context, createContext, type Services, subjectOf } from './context.ts';
import { type Database, openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { checkedStoredColumns, REVEAL_SEAL_KEY, transitKeysOf } from './encryption-declarations.ts';
import {
  createTransit,
  ensureKeys,
  InstrumentedTransit,
  KeyAdmin,
  RevealAllowance,
  RevealLedger,
  refuseMissingKeyMaterial,
  revealRecordPlugin,
  type Transit,
  TransitBatcher,
} from './field-encryption/index.ts';
import { abuseLimits } from './graphql/abuse-limits.ts';
import { buildSchema } from './graphql/build-schema.ts';
import { clientNamesRule } from './graphql/client-names.ts';
import { createErrorFormatter } from './graphql/format-error.ts';
import { loggingPlugin } from './graphql/logging-plugin.ts';
import { supportedOperationsPlugin } from './graphql/supported-operations.ts';
import { documentNameBound } from './http/document-name-bound.ts';
import { graphiqlRoutes } from './http/graphiql/graphiql-routes.ts';
import { healthRoutes } from './http/health-routes.ts';
import { hostAllowList } from './http/host-allow-list.ts';
import { metricsRoutes } from './http/metrics-routes.ts';
import { requestErrorHandler } from './http/request-error-handler.ts';
import { rootRoutes } from './http/root-routes.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics/metrics.ts';

export interface App {
  url: string;
  database: Database;
  transit: Transit;
  services: Services;
  close(): Promise<void>;
}

export interface AppParts {
  /** Use this database instead of opening the configured one (tests); the caller closes it. */
  database?: Database;
  /** Use this transit backend instead of the configured one (tests); the caller closes it. */
  transit?: Transit;
  logger?: Logger;
  /** Check the stored columns of this drizzle schema instead of the app's (tests of the start-up check). */
  drizzleSchema?: Record<string, unknown>;
  /** Serve without writing the reveal record: only the bench's entry passes it, to measure what the record costs. */
  withoutRevealRecord?: boolean;
}

/** Opens the backends, migrates, checks the keys, and serves GraphQL over HTTP. */
export async function startApp(config: Config, parts: AppParts = {}): Promise<App> {
  const logger = parts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const database = parts.database ?? (await openDatabase(config.database));
  const metrics = createMetrics();
  const transit = parts.transit ?? createTransit(config.transit, { onRequest: () => metrics.vaultRequests.inc() });
  let closeLedger = async () => {};
  const owned = async () => {
    await closeLedger();
    if (parts.transit === undefined) await transit.close();
    if (parts.database === undefined) await database.close();
  };
  try {
    const schema = buildSchema(config.limits);
    const storedColumns = checkedStoredColumns(schema, parts.drizzleSchema);
    await migrate(database);
    const keySpecs = transitKeysOf(schema);
    const keys = new Set(keySpecs.keys());
    const instrumented = new InstrumentedTransit(transit, metrics);
    const keyAdmin = new KeyAdmin(instrumented, keys, storedColumns, database.db);
    const revealLedger = new RevealLedger(database.db, instrumented, REVEAL_SEAL_KEY, {
      onCheckpointed: (seconds) => metrics.revealCheckpointLag.observe(seconds),
      onCheckpointFailed: (error) => logger.error({ err: error }, 'reveal record checkpoint not written; retrying'),
    });
    closeLedger = () => revealLedger.close();
    await refuseMissingKeyMaterial(transit, keyAdmin, [revealLedger.sealKeyUse()]);
    await revealLedger.open();
    await ensureKeys(transit, keySpecs, { create: transit.kind === 'embedded' });

    const services: Services = {
      verifyToken: createTokenVerifier(config.auth),
      transit: new TransitBatcher(instrumented, config.transit.batching),
      cards: new CardRepository(database.db),
      keyAdmin,
      limits: config.limits,
      onBudgetRefused: (operation) => metrics.budgetRefusals.inc({ operation }),
      revealLedger,
      revealAllowance: new RevealAllowance(database.db),
      onRateLimited: ({ role, field }) => metrics.rateLimited.inc({ role, field }),
      onAllowanceUnavailable: (error) => logger.error({ err: error }, 'reveal budget not checked; fields withheld'),
      logger,
    };

    const app = express();
    const httpServer = http.createServer(app);
    const limits = abuseLimits(config);
    const revealRecord = revealRecordPlugin<Context>({
      ledger: services.revealLedger,
      collector: (context) => context.reveals,
      reservations: { allowance: services.revealAllowance, of: (context) => context.grantBudgets },
      requester: (context) => ({
        requestId: context.requestId,
        subject: subjectOf(context.authentication),
        clientAddress: context.clientAddress,
      }),
      onAuditFailure: (error) => logger.error({ err: error }, 'reveal record not written; response withheld'),
      onWritten: (revealed, seconds, ok) => {
        metrics.auditWriteDuration.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
        if (!ok) return;
        for (const { role, mask, field, count } of revealed) metrics.reveals.inc({ role, mask, field }, count);
      },
    });
    const apollo = new ApolloServer<Context>({
      schema,
      formatError: createErrorFormatter(logger),
      includeStacktraceInErrorResponses: false,
      // src/server.ts stops the app on SIGINT/SIGTERM (Apollo's own handler would race it and re-raise the signal).
      stopOnTerminationSignals: false,
      introspection: config.env !== 'production' || config.graphiql,
      logger,
      allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
      parseOptions: limits.parseOptions,
      validationRules: [...limits.validationRules, clientNamesRule],
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        // No cache hints are set (responses carry no cache-control); Apollo's default cache-control
        // plugin would still wrap every field's resolver (willResolveField), a promise more per async field.
        ApolloServerPluginCacheControlDisabled(),
        loggingPlugin(),
        supportedOperationsPlugin(),
        ...(parts.withoutRevealRecord === true ? [] : [revealRecord]),
        ...limits.plugins,
      ],
    });
    await apollo.start();

    app.disable('x-powered-by');
    app.use(hostAllowList(config.http.allowedHosts));
    app.use(rootRoutes({ endpoint: '/graphql', graphiql: config.graphiql }));
    app.use(metricsRoutes(metrics));
    app.use(healthRoutes(database, transit, keys, logger));
    if (config.graphiql) {
      app.use(
        graphiqlRoutes({
          endpoint: '/graphql',
          tokenFor: developmentTokenIssuer(config.auth),
          listensOnLoopback: config.http.listensOnLoopback,
        }),
      );
    }
    app.use(
      '/graphql',
      express.json({ limit: '2mb' }),
      documentNameBound(config.queryLimits.maxTokens),
      expressMiddleware(apollo, { context: ({ req }) => createContext(services, req.headers.authorization, req.ip) }),
    );
    app.use(requestErrorHandler(logger));

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.http.port, config.http.host, resolve);
    });
    const address = httpServer.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${host}:${address.port}/graphql`,
      database,
      transit,
      services,
      close: async () => {
        await apollo.stop();
        await owned();
      },
    };
  } catch (error) {
    await owned().catch(() => {});
    throw error;
  }
}
