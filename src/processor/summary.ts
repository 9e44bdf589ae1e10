import type { WaitingCards } from './card-api.ts';

export interface Summary {
  processed: number;
  failed: number;
  skipped: number;
  /** What a run with --once left pending but could not claim. */
  waiting?: WaitingCards;
}

export const emptySummary = (): Summary => ({ processed: 0, failed: 0, skipped: 0 });

export const formatSummary = (summary: Summary) =>
  `processed ${summary.processed}, failed ${summary.failed}, skipped ${summary.skipped}`;

/** Why pending cards were left alone, in one line; undefined when none was. */
export function formatWaiting(waiting: WaitingCards | undefined): string | undefined {
  if (waiting === undefined) return undefined;
  const parts: string[] = [];
  if (waiting.leased > 0) {
    parts.push(
      `${cards(waiting.leased)} leased by an earlier claimCards (another processor, or GraphiQL's claim tab), claimable when the lease runs out (the first at ${waiting.firstLeaseEndsAt})`,
    );
  }
  if (waiting.retrying > 0) {
    parts.push(
      `${cards(waiting.retrying)} waiting to be retried after a failure (the first at ${waiting.firstRetryAt})`,
    );
  }
  return parts.length === 0 ? undefined : `not claimable now: ${parts.join('; ')}`;
}

const cards = (count: number) => `${count} pending card${count === 1 ? '' : 's'}`;
