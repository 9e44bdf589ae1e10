import type { Config } from '../config.ts';

/** The embedded backends keep their state in the data directory, and only one process may hold it. */
export function needsOwnership(config: Config): boolean {
  return config.database.kind === 'pglite' || config.transit.kind === 'embedded';
}
