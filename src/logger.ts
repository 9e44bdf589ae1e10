import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * Structured logs. Nothing logs variables or card fields, and these paths are redacted in case a
 * future log line carries them anyway.
 */
export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
