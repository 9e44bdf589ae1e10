import { and, asc, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { StoredColumn } from './stored-columns.ts';
import { type AnyPgDatabase, propertyOf } from './stored-values.ts';

/** A row whose blind index is missing or under an older version: its identity, source ciphertext and index. */
export interface StaleIndex {
  id: string;
  ciphertext: string;
  index: string | null;
}

export interface IndexReplacement extends StaleIndex {
  /** The HMAC under the latest version. */
  next: string;
}

/**
 * The values of one blind-index column as reindex sees them: rows without an index or with one
 * below a version, read in identity order, replaced only where neither the source ciphertext nor the
 * index changed since read.
 */
export class BlindIndexValues {
  readonly source: StoredColumn;

  constructor(
    private readonly db: AnyPgDatabase,
    readonly column: StoredColumn,
  ) {
    if (column.indexOf === undefined) throw new Error(`${column.label} is not a blind index`);
    this.source = column.indexOf;
  }

  private stale(latestVersion: number) {
    return or(isNull(this.column.ciphertext), lt(this.column.version, latestVersion));
  }

  async countStale(latestVersion: number): Promise<number> {
    const [row] = await this.db.select({ count: count() }).from(this.column.table).where(this.stale(latestVersion));
    return Number(row?.count ?? 0);
  }

  async next(options: { latestVersion: number; after: string | undefined; limit: number }): Promise<StaleIndex[]> {
    const { table, identity, ciphertext: index } = this.column;
    const conditions = [this.stale(options.latestVersion)];
    if (options.after !== undefined) conditions.push(gt(identity, options.after));
    return this.db
      .select({
        id: sql<string>`${identity}::text`,
        ciphertext: sql<string>`${this.source.ciphertext}`,
        index: sql<string | null>`${index}`,
      })
      .from(table)
      .where(and(...conditions))
      .orderBy(asc(identity))
      .limit(options.limit);
  }

  /** Writes each new index where the row still holds what was read; answers how many rows changed. */
  async replace(replacements: readonly IndexReplacement[]): Promise<number> {
    if (replacements.length === 0) return 0;
    const { table, identity, ciphertext: index } = this.column;
    const idType = sql.raw(identity.getSQLType());
    const values = sql.join(
      replacements.map((r) => sql`(${r.id}::${idType}, ${r.ciphertext}, ${r.index}::text, ${r.next})`),
      sql`, `,
    );
    const updated = await this.db
      .update(table)
      .set({ [propertyOf(this.column)]: sql`replaced.next` })
      .from(sql`(values ${values}) as replaced(id, ciphertext, previous, next)`)
      .where(
        and(
          eq(identity, sql`replaced.id`),
          eq(this.source.ciphertext, sql`replaced.ciphertext`),
          sql`${index} is not distinct from replaced.previous`,
        ),
      )
      .returning({ id: identity });
    return updated.length;
  }
}
