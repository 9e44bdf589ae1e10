import type { ApiProcess } from './api-process.ts';
import { scrapeCounters } from './graphql-client.ts';
import { Measurement } from './load.ts';

export interface ScenarioResult {
  id: string;
  title: string;
  requests: number;
  cardsPerRequest: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Calls from the batcher to the transit backend, per API request. */
  transitCallsPerRequest: number;
  /** HTTP requests to Vault/OpenBao per API request (a call of more than TRANSIT_BATCH_SIZE values is chunked); null on the embedded engine. */
  vaultRequestsPerRequest: number | null;
  /** Peak resident set size of the API process during the scenario; null without /proc. */
  peakRssMb: number | null;
  /** Time the API spent writing the reveal record (chain, seal HMAC, insert), per request: part of its own overhead. */
  revealRecordMsPerRequest: number;
  /** CPU time of the API process per request (user + system, /proc): unlike wall time, other processes do not swell it. */
  apiCpuMsPerRequest: number | null;
}

/** One measured scenario: latencies, transit calls (from the API's /metrics) and the API's peak RSS. */
export class Scenario {
  private readonly measurement = new Measurement();
  private transitCalls = 0;
  private vaultRequests = 0;
  private revealRecordSeconds = 0;
  private peakRssBytes: number | null = null;
  private apiCpuMs = 0;

  constructor(
    readonly id: string,
    readonly title: string,
    private readonly cardsPerRequest: number,
    private api: ApiProcess,
    private readonly countsVaultRequests: boolean,
  ) {}

  /** Measures the next runs on another API process (a scenario whose rounds alternate with a restarted API). */
  on(api: ApiProcess): this {
    this.api = api;
    return this;
  }

  async run(requests: number, concurrency: number, send: (index: number) => Promise<void>): Promise<void> {
    const metricsUrl = this.api.url.replace(/\/graphql$/, '/metrics');
    const before = await scrapeCounters(metricsUrl);
    this.api.resetPeakRss();
    const cpuBefore = this.api.cpuMs();
    await this.measurement.drive(requests, concurrency, send);
    this.apiCpuMs += this.api.cpuMs() - cpuBefore;
    const peak = this.api.peakRssBytes();
    const after = await scrapeCounters(metricsUrl);
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    this.transitCalls += delta('transitql_transit_calls_total');
    this.vaultRequests += delta('transitql_vault_http_requests_total');
    this.revealRecordSeconds += delta('transitql_audit_write_duration_seconds_sum');
    if (peak !== null) this.peakRssBytes = Math.max(this.peakRssBytes ?? 0, peak);
  }

  /** Wall time per request in milliseconds: the time to list N cards, over N / page size. */
  get wallMsPerRequest(): number {
    return this.measurement.wallMs / Math.max(1, this.measurement.requests);
  }

  result(): ScenarioResult {
    const requests = this.measurement.requests;
    return {
      id: this.id,
      title: this.title,
      requests,
      cardsPerRequest: this.cardsPerRequest,
      requestsPerSecond: round(this.measurement.requestsPerSecond, 2),
      p50Ms: round(this.measurement.percentile(50), 1),
      p99Ms: round(this.measurement.percentile(99), 1),
      transitCallsPerRequest: round(this.transitCalls / Math.max(1, requests), 3),
      vaultRequestsPerRequest: this.countsVaultRequests ? round(this.vaultRequests / Math.max(1, requests), 3) : null,
      peakRssMb: this.peakRssBytes === null ? null : round(this.peakRssBytes / 1024 / 1024, 1),
      revealRecordMsPerRequest: round((this.revealRecordSeconds * 1000) / Math.max(1, requests), 2),
      apiCpuMsPerRequest: Number.isNaN(this.apiCpuMs) ? null : round(this.apiCpuMs / Math.max(1, requests), 1),
    };
  }
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
