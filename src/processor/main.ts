import { parseCommandArgs } from '../cli/args.ts';
import { EXIT } from './exit-codes.ts';

/** `npm run processor`: claims pending cards from the API, processes each once, marks it processed. */
async function main(): Promise<number> {
  const { values: flags } = parseCommandArgs({
    command: 'npm run processor --',
    usage: '[--once] [--reveal]',
    help: [
      'The card processor: claims pending cards from the API (PROCESSOR_API_URL, default http://127.0.0.1:$PORT/graphql),',
      'processes each once and marks it processed. Settings are in .env.example.',
      '  --once    process what is pending, print a summary, exit (default: keep polling)',
      '  --reveal  print full card numbers (never in production logs)',
      'exit codes: 0 ok, 1 some cards failed, 2 usage or configuration, 3 API unreachable or refused, 4 token rejected',
    ].join('\n'),
    options: { once: { type: 'boolean' }, reveal: { type: 'boolean' } },
  });
  // Loaded once the arguments are known to be good: --help and usage errors answer without them.
  const [
    { loadProcessorConfig },
    { createGraphQLClient },
    { CardApi },
    { printCard },
    { processorToken },
    { runProcessor },
    { formatSummary, formatWaiting },
  ] = await Promise.all([
    import('../config.ts'),
    import('./api-client.ts'),
    import('./card-api.ts'),
    import('./print-card.ts'),
    import('./processor-token.ts'),
    import('./run-processor.ts'),
    import('./summary.ts'),
  ]);
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
  const waiting = formatWaiting(summary.waiting);
  if (waiting !== undefined) console.log(waiting);
  return summary.failed > 0 ? EXIT.cardsFailed : EXIT.ok;
}

async function exitCodeFor(error: unknown): Promise<number> {
  const [{ ConfigError }, { ApiAccessError, ApiOperationError, ApiUnreachableError }] = await Promise.all([
    import('../config.ts'),
    import('./api-client.ts'),
  ]);
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
