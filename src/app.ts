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
import { cardRevealPolicies } from './cards/reveal-policies.ts';
import type { Config } from './config.ts';
import { type Context, createContext, type Services } from './context.ts';
import { type Database, openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import * as databaseSchema from './db/schema.ts';
import {
  checkedStoredColumns,
  createFieldEncryption,
  createTransit,
  InstrumentedTransit,
  type Transit,
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
  let closeEncryption = async () => {};
  const owned = async () => {
    await closeEncryption();
    if (parts.transit === undefined) await transit.close();
    if (parts.database === undefined) await database.close();
  };
  try {
    const schema = buildSchema(config.limits);
    const tables = parts.drizzleSchema ?? databaseSchema;
    checkedStoredColumns(schema, tables);
    await migrate(database);
    const encryption = await createFieldEncryption<Context>({
      transit: new InstrumentedTransit(transit, metrics),
      db: database.db,
      tables,
      policies: cardRevealPolicies,
      batching: config.transit.batching,
      limits: { decrypts: config.limits.maxDecryptsPerRequest, encrypts: config.limits.maxEncryptsPerRequest },
      on: {
        onBudgetRefused: (operation) => metrics.budgetRefusals.inc({ operation }),
        onRateLimited: ({ role, field }) => metrics.rateLimited.inc({ role, field }),
        onAllowanceUnavailable: (error) => logger.error({ err: error }, 'reveal budget not checked; fields withheld'),
        onCheckpointed: (seconds) => metrics.revealCheckpointLag.observe(seconds),
        onCheckpointFailed: (error) => logger.error({ err: error }, 'reveal record checkpoint not written; retrying'),
        onAuditFailure: (error) => logger.error({ err: error }, 'reveal record not written; response withheld'),
        onWritten: (revealed, seconds, ok) => {
          metrics.auditWriteDuration.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
          if (!ok) return;
          for (const { role, mask, field, count } of revealed) metrics.reveals.inc({ role, mask, field }, count);
        },
      },
    }).start(schema);
    closeEncryption = () => encryption.close();
    const keys = new Set(encryption.keys.keys());

    const services: Services = {
      verifyToken: createTokenVerifier(config.auth),
      encryption,
      revealLedger: encryption.revealLedger,
      cards: new CardRepository(database.db),
      limits: config.limits,
      logger,
    };

    const app = express();
    const httpServer = http.createServer(app);
    const limits = abuseLimits(config);
    const revealRecord = encryption.apolloPlugin();
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
