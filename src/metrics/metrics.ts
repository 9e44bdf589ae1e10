import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Every metric one app instance exposes on /metrics, in its own registry (several apps may share a process). */
export interface Metrics {
  registry: Registry;
  /** Calls to the transit backend (one per batch), by operation, key and outcome. */
  transitCalls: Counter<'operation' | 'key' | 'outcome'>;
  /** Values per transit call, by operation. */
  transitBatchSize: Histogram<'operation'>;
  transitCallDuration: Histogram<'operation'>;
  /** HTTP requests sent to Vault/OpenBao (a large batch is sent in several chunks), retries included. */
  vaultRequests: Counter;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Values that left the API decrypted or masked, by the grant's role and mask and the field. */
  reveals: Counter<'role' | 'mask' | 'field'>;
  /** Fields refused because the request used up its decrypt or encrypt budget. */
  budgetRefusals: Counter<'operation'>;
  /** Fields refused because the caller used up a grant's rolling-window budget (`@decryptFor(budget:)`). */
  rateLimited: Counter<'role' | 'field'>;
  /** Time to write a request's reveal record (chain, seal, insert). */
  auditWriteDuration: Histogram<'outcome'>;
  revealCheckpointLag: Histogram;
}

const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000];
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    transitCalls: new Counter({
      name: 'transitql_transit_calls_total',
      help: 'Calls to the transit backend (each carries a batch of values)',
      labelNames: ['operation', 'key', 'outcome'],
      registers,
    }),
    transitBatchSize: new Histogram({
      name: 'transitql_transit_batch_size',
      help: 'Values per transit call',
      labelNames: ['operation'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    }),
    transitCallDuration: new Histogram({
      name: 'transitql_transit_call_duration_seconds',
      help: 'Duration of transit calls',
      labelNames: ['operation'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    vaultRequests: new Counter({
      name: 'transitql_vault_http_requests_total',
      help: 'HTTP requests sent to Vault/OpenBao, retries included',
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'transitql_http_request_duration_seconds',
      help: 'Duration of HTTP requests to the API',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    reveals: new Counter({
      name: 'transitql_reveals_total',
      help: 'Values returned decrypted or masked, by role, mask and field',
      labelNames: ['role', 'mask', 'field'],
      registers,
    }),
    budgetRefusals: new Counter({
      name: 'transitql_budget_refusals_total',
      help: 'Fields refused because the request used up its decrypt or encrypt budget',
      labelNames: ['operation'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'transitql_rate_limited_total',
      help: "Fields refused because the caller used up a grant's rolling-window budget",
      labelNames: ['role', 'field'],
      registers,
    }),
    auditWriteDuration: new Histogram({
      name: 'transitql_audit_write_duration_seconds',
      help: 'Time to write one request to the reveal record',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    revealCheckpointLag: new Histogram({
      name: 'transitql_reveal_checkpoint_lag_seconds',
      help: "Time from a reveal record write's commit until the key service holds a checkpoint covering it",
      buckets: DURATION_BUCKETS,
      registers,
    }),
  };
}
