import { type Checkpoint, isPast, type RecordAnchor } from '../transit/record-anchor.ts';

/** How long a failed checkpoint write waits before the next try. */
const RETRY_MS = 1_000;

/**
 * Carries committed chain heads to the anchor in the background: one write in flight, and the next one
 * carries the newest head committed meanwhile (writes coalesce under load, and follow every commit when
 * idle). A failed write is retried with the newest head.
 */
export class Checkpointer {
  /** Heads committed and not yet known durable, oldest first, with when each committed. */
  private waiting: Array<{ checkpoint: Checkpoint; committedAt: number }> = [];
  private running: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly anchor: RecordAnchor,
    private readonly events: {
      /** Seconds from a head's commit until a checkpoint at or past it was durable. */
      onDurable?: (seconds: number) => void;
      onFailed?: (error: unknown) => void;
      /** The checkpoint the anchor holds after each write (another process's, when it was ahead). */
      onStored?: (stored: Checkpoint) => void;
    } = {},
  ) {}

  offer(checkpoint: Checkpoint): void {
    this.waiting.push({ checkpoint, committedAt: performance.now() });
    this.start();
  }

  /** Milliseconds since the oldest head not yet durable in the anchor committed; 0 when none waits. */
  lagMs(): number {
    const oldest = this.waiting[0];
    return oldest === undefined ? 0 : performance.now() - oldest.committedAt;
  }

  /** Resolves once every head offered so far is durable (or the write failed: it is retried later). */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.retry);
  }

  private start(): void {
    if (this.running !== undefined || this.closed) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  private async run(): Promise<void> {
    clearTimeout(this.retry);
    while (this.waiting.length > 0) {
      const newest = (this.waiting[this.waiting.length - 1] as (typeof this.waiting)[number]).checkpoint;
      try {
        const stored = await this.anchor.advance(newest);
        this.events.onStored?.(stored);
        const now = performance.now();
        const durable = (each: Checkpoint) => !isPast(each, stored);
        for (const { checkpoint, committedAt } of this.waiting) {
          if (durable(checkpoint)) this.events.onDurable?.((now - committedAt) / 1000);
        }
        this.waiting = this.waiting.filter(({ checkpoint }) => !durable(checkpoint));
      } catch (error) {
        this.events.onFailed?.(error);
        if (!this.closed) {
          this.retry = setTimeout(() => this.start(), RETRY_MS);
          this.retry.unref();
        }
        return;
      }
    }
  }
}
