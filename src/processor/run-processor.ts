import { setTimeout as sleep } from 'node:timers/promises';
import { scrubFreeText } from '../text/pan-detector.ts';
import { ApiUnreachableError } from './api-client.ts';
import type { CardApi, ClaimedCard, FailurePolicy } from './card-api.ts';
import { isPlausiblePan } from './plausible-pan.ts';
import type { ProcessCard } from './print-card.ts';
import { emptySummary, type Summary } from './summary.ts';

export interface RunOptions {
  cards: CardApi;
  process: ProcessCard;
  batchSize: number;
  leaseSeconds: number;
  failure: FailurePolicy;
  /** Process what is claimable now and return; otherwise poll every `pollIntervalMs` until `signal` aborts. */
  once: boolean;
  pollIntervalMs: number;
  /** Aborting stops the run after the card in hand; the rest of the batch is handed back. */
  signal: AbortSignal;
  warn: (message: string) => void;
}

/**
 * Claims cards batch by batch and processes each one, marking it processed (or failed, for a
 * retry later) as soon as it is done, so a crash leaves at most the card in hand to be redone.
 */
export async function runProcessor(options: RunOptions): Promise<Summary> {
  const summary = emptySummary();
  while (!options.signal.aborted) {
    let batch: ClaimedCard[];
    const claimedAt = Date.now();
    try {
      batch = await options.cards.claim(options.batchSize, options.leaseSeconds);
    } catch (error) {
      if (options.once || !(error instanceof ApiUnreachableError)) throw error;
      options.warn(`${error.message}; retrying in ${options.pollIntervalMs} ms`);
      batch = [];
    }
    if (batch.length === 0) {
      if (options.once) {
        summary.waiting = await options.cards.waiting();
        break;
      }
      await sleep(options.pollIntervalMs, undefined, { signal: options.signal }).catch(() => {});
      continue;
    }
    await processBatch(batch, claimedAt + options.leaseSeconds * 1000, options, summary);
  }
  return summary;
}

async function processBatch(batch: ClaimedCard[], leaseEnd: number, options: RunOptions, summary: Summary) {
  for (const [index, card] of batch.entries()) {
    if (options.signal.aborted) {
      await options.cards.release(batch.slice(index).map((unprocessed) => unprocessed.id));
      return;
    }
    if (Date.now() >= leaseEnd) {
      // Another processor may hold these cards by now: leave them to it.
      options.warn(`lease expired before ${batch.length - index} card(s) could be processed; skipping them`);
      summary.skipped += batch.length - index;
      return;
    }
    await processCard(card, options, summary);
  }
}

async function processCard(card: ClaimedCard, options: RunOptions, summary: Summary) {
  const { pan } = card;
  if (!isPlausiblePan(pan)) {
    const reason = card.panError ?? 'the API did not return a plausible card number (is the token a processor token?)';
    await fail(card, reason, options, summary);
    return;
  }
  try {
    await options.process({ id: card.id, name: card.name, pan });
  } catch (error) {
    await fail(card, `processing failed: ${(error as Error).message}`, options, summary);
    return;
  }
  const marked = await options.cards.markProcessed([card.id]);
  if (marked.has(card.id)) {
    summary.processed++;
  } else {
    options.warn(`card ${card.id} was processed but its claim had passed to another processor`);
    summary.skipped++;
  }
}

async function fail(card: ClaimedCard, failure: string, options: RunOptions, summary: Summary) {
  // A step's error may name the card, or hold a NUL the API refuses (which would leave the card claimed
  // until its lease ends): the message goes to the log and to lastError, which others read, scrubbed.
  const reason = scrubFreeText(failure);
  options.warn(`card ${card.id} not processed: ${reason}`);
  await options.cards.markFailed([card.id], reason.slice(0, 500), options.failure);
  summary.failed++;
}
