import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { syncTree } from './sync-tree.ts';

/**
 * PGlite's Postgres keeps its default shared_buffers of 128 MB inside the WebAssembly memory, which
 * never shrinks; 16 MB serves a development API and keeps the idle process near 170 MB instead of 440.
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB'];

/**
 * Creating a data directory runs initdb in a second WebAssembly instance whose memory (some 500 MB)
 * the process keeps after it is done. A new directory is therefore created by a short-lived child
 * process, and the API opens the finished directory.
 */
export async function initialisePgliteDirectory(dataDir: string): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = `const { PGlite } = await import(${JSON.stringify(pglite)});
const db = await PGlite.create({ dataDir: process.argv[1], postgresqlconf: JSON.parse(process.argv[2]) });
await db.close();`;
  await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, dataDir, JSON.stringify(PGLITE_SETTINGS)],
    { env: {} },
  );
  syncTree(dataDir);
}
