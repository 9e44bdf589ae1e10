/** Latencies and wall time of one scenario, gathered over one or more runs. */
export class Measurement {
  readonly latenciesMs: number[] = [];
  wallMs = 0;

  /** Sends `requests` requests from `concurrency` clients, each starting a new one when the last answers. */
  async drive(requests: number, concurrency: number, send: (index: number) => Promise<void>): Promise<void> {
    let next = 0;
    const client = async () => {
      while (next < requests) {
        const index = next++;
        const started = performance.now();
        await send(index);
        this.latenciesMs.push(performance.now() - started);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, client));
    this.wallMs += performance.now() - started;
  }

  get requests(): number {
    return this.latenciesMs.length;
  }

  get requestsPerSecond(): number {
    return this.wallMs === 0 ? 0 : this.requests / (this.wallMs / 1000);
  }

  percentile(p: number): number {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  }
}
