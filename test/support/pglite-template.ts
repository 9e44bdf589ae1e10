import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An uncompressed tar of a migrated, empty PGlite data directory, made once per run. */
    pgliteTemplate: string;
  }
}

/**
 * Creating an embedded database runs initdb (several seconds on a loaded 2-core machine) and the
 * migrations; the suites open hundreds. One migrated database is made here, once per run, and each
 * suite starts a copy of its files instead.
 */
export async function makePgliteTemplate(): Promise<{ file: string; remove(): void }> {
  const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
  try {
    await migrate(database);
    const file = path.join(os.tmpdir(), `transitql-test-pglite-${randomUUID()}.tar`);
    fs.writeFileSync(file, await (database.backup?.('none') ?? Promise.reject(new Error('PGlite has no backup'))));
    return { file, remove: () => fs.rmSync(file, { force: true }) };
  } finally {
    await database.close();
  }
}
