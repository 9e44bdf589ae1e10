import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';

/** A logger whose output is kept, a JSON line per entry, in `lines` for the test to read. */
export function capturedLogger(level: Config['logLevel']): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

/** The entries among `lines` logged at error level or above. */
export function errorEntries(lines: readonly string[]): Array<{ level: number; msg: string }> {
  return lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level >= 50);
}
