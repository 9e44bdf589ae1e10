import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { DatabaseUnavailableError } from './client.ts';
import { DurableNodeFS, durableStartParams } from './durable-node-fs.ts';
import { syncTree } from './sync-tree.ts';

/** Creates an embedded database directory from a backup made by `db backup`; refuses to overwrite one. */
export async function restorePglite(dataDir: string, archive: Buffer): Promise<void> {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    throw new DatabaseUnavailableError(
      `${dataDir} already holds a database; move it aside first (nothing was changed)`,
    );
  }
  const client = await PGlite.create({
    fs: new DurableNodeFS(dataDir),
    startParams: durableStartParams,
    loadDataDir: new Blob([archive]),
  });
  await client.query('select 1');
  await client.close();
  syncTree(dataDir);
}
