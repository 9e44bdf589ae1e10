export interface Summary {
  processed: number;
  failed: number;
  skipped: number;
}

export const emptySummary = (): Summary => ({ processed: 0, failed: 0, skipped: 0 });

export const formatSummary = (summary: Summary) =>
  `processed ${summary.processed}, failed ${summary.failed}, skipped ${summary.skipped}`;
