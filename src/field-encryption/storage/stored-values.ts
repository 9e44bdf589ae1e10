import { and, asc, count, eq, gt, isNotNull, lt, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { StoredColumn } from './stored-columns.ts';

// biome-ignore lint/suspicious/noExplicitAny: any drizzle schema; only the registry's columns are used
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any>;

export interface StoredValue {
  /** The record's identity (text), the context of a bound value. */
  id: string;
  ciphertext: string;
}

export interface Replacement {
  id: string;
  previous: string;
  ciphertext: string;
}

export interface VersionCount {
  version: number;
  count: number;
}

/**
 * The values of one stored column as key lifecycle sees them: counted by version (the generated
 * version column), read in identity order, replaced only when unchanged since read.
 */
export class StoredValues {
  constructor(
    private readonly db: AnyPgDatabase,
    readonly column: StoredColumn,
  ) {}

  async countByVersion(): Promise<VersionCount[]> {
    const { table, version } = this.column;
    const rows = await this.db
      .select({ version: sql<number>`${version}`, count: count() })
      .from(table)
      .where(isNotNull(version)) // a blind index not computed yet uses no version
      .groupBy(version)
      .orderBy(asc(version));
    return rows.map((row) => ({ version: Number(row.version), count: Number(row.count) }));
  }

  async countAll(): Promise<number> {
    const [row] = await this.db
      .select({ count: count() })
      .from(this.column.table)
      .where(isNotNull(this.column.ciphertext)); // a nullable column's nulls hold no value
    return Number(row?.count ?? 0);
  }

  async countBelow(version: number): Promise<number> {
    const [row] = await this.db
      .select({ count: count() })
      .from(this.column.table)
      .where(lt(this.column.version, version));
    return Number(row?.count ?? 0);
  }

  /** Up to `limit` values older than `version` (all values without a version bound), after identity `after`. */
  async next(options: { belowVersion?: number; after: string | undefined; limit: number }): Promise<StoredValue[]> {
    const { table, identity, ciphertext, version } = this.column;
    const conditions = [isNotNull(ciphertext)];
    if (options.belowVersion !== undefined) conditions.push(lt(version, options.belowVersion));
    if (options.after !== undefined) conditions.push(gt(identity, options.after));
    const rows = await this.db
      .select({ id: sql<string>`${identity}::text`, ciphertext: sql<string>`${ciphertext}` })
      .from(table)
      .where(and(...conditions))
      .orderBy(asc(identity))
      .limit(options.limit);
    return rows;
  }

  /**
   * Writes each new ciphertext only where the row still holds the one it was made from, so a value
   * updated meanwhile is never overwritten with a stale one. Answers how many rows changed.
   */
  async replace(replacements: readonly Replacement[]): Promise<number> {
    if (replacements.length === 0) return 0;
    const { table, identity, ciphertext } = this.column;
    const idType = sql.raw(identity.getSQLType());
    const values = sql.join(
      replacements.map((r) => sql`(${r.id}::${idType}, ${r.previous}, ${r.ciphertext})`),
      sql`, `,
    );
    const updated = await this.db
      .update(table)
      .set({ [propertyOf(this.column)]: sql`replaced.ciphertext` })
      .from(sql`(values ${values}) as replaced(id, previous, ciphertext)`)
      .where(and(eq(identity, sql`replaced.id`), eq(ciphertext, sql`replaced.previous`)))
      .returning({ id: identity });
    return updated.length;
  }
}

/** The drizzle property name of the ciphertext column (update().set() is keyed by property). */
export function propertyOf(column: StoredColumn): string {
  const columns = column.table as unknown as Record<string, unknown>;
  const entry = Object.entries(columns).find(([, candidate]) => candidate === column.ciphertext);
  if (entry === undefined) throw new Error(`${column.label}: column not found on its table`);
  return entry[0];
}
