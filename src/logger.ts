import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.ts';

/**
 * Structured logs. Nothing logs variables or card fields, and these paths are redacted in case a
 * future log line carries them anyway.
 */
export function createLogger(
  level: Config['logLevel'],
  destination?: pino.DestinationStream,
  format: Config['logFormat'] = 'json',
): Logger {
  return pino(
    {
      name: 'transitql',
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'authorization',
          'variables',
          '*.variables',
          'pan',
          '*.pan',
          'plaintext',
          '*.plaintext',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? (format === 'pretty' ? readable() : undefined),
  );
}

/** One line per entry, for a person at a terminal; in-process (no transport worker thread to feed). */
function readable(): pino.DestinationStream {
  return pretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    ignore: 'pid,hostname,name',
    translateTime: 'HH:MM:ss.l',
  });
}
