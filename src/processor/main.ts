import { parseArgs } from 'node:util';
import { ConfigError, loadProcessorConfig } from '../config.ts';
import { ApiAccessError, ApiOperationError, ApiUnreachableError, createGraphQLClient } from './api-client.ts';
import { CardApi } from './card-api.ts';
import { EXIT } from './exit-codes.ts';
import { printCard } from './print-card.ts';
import { processorToken } from './processor-token.ts';
import { runProcessor } from './run-processor.ts';
import { formatSummary } from './summary.ts';

const USAGE = 'usage: npm run processor -- [--once] [--reveal]';

/** `npm run processor`: claims pending cards from the API, processes each once, marks it processed. */
async function main(): Promise<number> {
  let flags: { once?: boolean; reveal?: boolean; help?: boolean };
  try {
    flags = parseArgs({
      options: { once: { type: 'boolean' }, reveal: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    console.error(`processor: ${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (flags.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const config = loadProcessorConfig();
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stop.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      console.error(`processor: ${signal} received, stopping after the card in hand`);
      stop.abort();
    });
  }
  const summary = await runProcessor({
    cards: new CardApi(createGraphQLClient(config.apiUrl, await processorToken(config.token))),
    process: printCard({ reveal: flags.reveal === true, write: (line) => console.log(line) }),
    batchSize: config.batchSize,
    leaseSeconds: config.leaseSeconds,
    failure: { retryAfterSeconds: config.retryAfterSeconds, maxAttempts: config.maxAttempts },
    once: flags.once === true,
    pollIntervalMs: config.pollIntervalMs,
    signal: stop.signal,
    warn: (message) => console.error(`processor: ${message}`),
  });
  console.log(formatSummary(summary));
  return summary.failed > 0 ? EXIT.cardsFailed : EXIT.ok;
}

function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) {
    console.error(`processor: configuration error: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof ApiAccessError) {
    console.error(`processor: access denied (${error.code}): ${error.message}`);
    return EXIT.accessDenied;
  }
  if (error instanceof ApiUnreachableError) {
    console.error(`processor: ${error.message}`);
    return EXIT.apiUnavailable;
  }
  if (error instanceof ApiOperationError) {
    console.error(`processor: the API refused the request (${error.code}): ${error.message}`);
    return EXIT.apiUnavailable;
  }
  console.error('processor: unexpected error:', error);
  return EXIT.apiUnavailable;
}

process.exitCode = await main().catch(exitCodeFor);
