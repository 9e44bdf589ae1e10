import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import all from './vitest.config.ts';

/**
 * `npm test`: the fast loop, on the embedded backends. These suites are slow by nature (they start
 * server-mode OpenBao clusters, a browser, a built server, or processes per case) or run only on
 * PostgreSQL + OpenBao; they run in `npm run test:all` (vitest.config.ts), which CI runs with both backend sets.
 */
const SLOW_SUITES = [
  // OpenBao server-mode clusters (1 and 3 nodes), their backup drill, a TLS PostgreSQL cluster
  'test/deploy/openbao-server.test.ts',
  'test/deploy/openbao-ha.test.ts',
  'test/deploy/backup-drill.test.ts',
  'test/db/postgres-tls.test.ts',
  // GraphiQL in Chromium
  'test/e2e/graphiql.test.ts',
  'test/e2e/graphiql-first-click.test.ts',
  // the bench, the built bundle and the built CLIs, started as processes
  'test/bench/bench-quick.test.ts',
  'test/foundation/built-server.test.ts',
  'test/foundation/cli-start.test.ts',
  // APIs, processors and CLI commands started as processes (node + tsx, a PGlite initdb each), several per case
  'test/ownership/single-owner.test.ts',
  'test/ownership/missing-keys.test.ts',
  'test/ownership/operator-drill.test.ts',
  'test/ownership/backup-drill-embedded.test.ts',
  'test/ownership/backup-restore.test.ts',
  'test/ownership/interleaved-rotations.test.ts',
  'test/ownership/reveal-anchor-process.test.ts',
  'test/processor/processor-concurrency.test.ts',
  'test/processor/processor-e2e.test.ts',
  'test/blind-index/rotation-reindex.test.ts',
  'test/transit/cli.test.ts',
  'test/docs/readme-encrypted-field.test.ts',
  'test/docs/readme-commands.test.ts',
  // npm pack, then the packed module installed in a scratch project and run as processes
  'test/package/installed-package.test.ts',
  'test/foundation/startup.test.ts',
  'test/foundation/startup-messages.test.ts',
  // docker-compose resolving the compose file
  'test/deploy/compose.test.ts',
  // the real-backend suites: every case needs PostgreSQL and OpenBao (they only skip on embedded)
  'test/docs/readme-real-backends.test.ts',
  'test/integration/rotation-drill.test.ts',
  'test/integration/vault-least-privilege.test.ts',
  'test/integration/vault-tls.test.ts',
  'test/security/faults.test.ts',
  'test/transit/compatibility.test.ts',
  'test/transit/vault-failures.test.ts',
];

export default mergeConfig(
  all,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, ...SLOW_SUITES],
      provide: { embeddedOnly: true },
      // One module registry per worker instead of one per file: half the CPU of the run (the modules of
      // Apollo, express, zod... are evaluated once per worker). CI's test:all keeps every file isolated.
      isolate: false,
    },
  }),
);
