import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import type { Config } from '../../../src/config.ts';
import type { Database } from '../../../src/db/client.ts';

/** Everything the database holds, as text: `pg_dump` on PostgreSQL, every row of every table on PGlite. */
export async function dumpDatabase(database: Database, config: Config['database']): Promise<string> {
  if (config.kind === 'postgres') {
    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', config.url], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  }
  const tables = await database.db.execute<{ name: string }>(
    sql`select format('%I.%I', table_schema, table_name) as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
  );
  const lines: string[] = [];
  for (const { name } of rowsOf<{ name: string }>(tables)) {
    const rows = await database.db.execute<{ row: string }>(sql.raw(`select t::text as row from ${name} t`));
    lines.push(`-- ${name}`, ...rowsOf<{ row: string }>(rows).map((row) => row.row));
  }
  return lines.join('\n');
}

/** drizzle's execute answers an array on postgres.js and `{ rows }` on PGlite. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
