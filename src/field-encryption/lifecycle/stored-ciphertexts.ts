import { and, asc, count, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { creditCards } from '../../db/schema.ts';

export interface StoredCiphertext {
  id: string;
  seq: number;
  ciphertext: string;
}

export interface Replacement {
  id: string;
  previous: string;
  ciphertext: string;
  version: number;
}

export interface VersionCount {
  version: number;
  count: number;
}

/**
 * The stored values encrypted under the schema's `card-pan` key (credit_cards.pan), as key
 * lifecycle sees them: counted by version, read in seq order, replaced only when unchanged.
 */
export class StoredCiphertexts {
  constructor(private readonly db: Db) {}

  async countByVersion(): Promise<VersionCount[]> {
    const rows = await this.db
      .select({ version: creditCards.panKeyVersion, count: count() })
      .from(creditCards)
      .groupBy(creditCards.panKeyVersion)
      .orderBy(asc(creditCards.panKeyVersion));
    return rows.map((row) => ({ version: row.version, count: Number(row.count) }));
  }

  async countBelow(version: number): Promise<number> {
    const [row] = await this.db
      .select({ count: count() })
      .from(creditCards)
      .where(lt(creditCards.panKeyVersion, version));
    return Number(row?.count ?? 0);
  }

  /** The next `limit` values older than `version`, after position `afterSeq`. */
  async nextBelow(version: number, afterSeq: number, limit: number): Promise<StoredCiphertext[]> {
    return this.db
      .select({ id: creditCards.id, seq: creditCards.seq, ciphertext: creditCards.pan })
      .from(creditCards)
      .where(and(lt(creditCards.panKeyVersion, version), gt(creditCards.seq, afterSeq)))
      .orderBy(asc(creditCards.seq))
      .limit(limit);
  }

  /**
   * Writes each new ciphertext only where the row still holds the one it was made from, so a
   * value updated meanwhile is never overwritten with a stale one. Answers how many rows changed.
   */
  async replace(replacements: readonly Replacement[]): Promise<number> {
    if (replacements.length === 0) return 0;
    const values = sql.join(
      replacements.map((r) => sql`(${r.id}::uuid, ${r.previous}, ${r.ciphertext}, ${r.version}::integer)`),
      sql`, `,
    );
    const updated = await this.db
      .update(creditCards)
      .set({
        pan: sql`rewrapped.ciphertext`,
        panKeyVersion: sql`rewrapped.version`,
        updatedAt: sql`now()`,
      })
      .from(sql`(values ${values}) as rewrapped(id, previous, ciphertext, version)`)
      .where(and(eq(creditCards.id, sql`rewrapped.id`), eq(creditCards.pan, sql`rewrapped.previous`)))
      .returning({ id: creditCards.id });
    return updated.length;
  }
}

/** Where each transit key's ciphertexts are stored; a schema key missing here stores nothing. */
export function storedCiphertextsByKey(db: Db): ReadonlyMap<string, StoredCiphertexts> {
  return new Map([['card-pan', new StoredCiphertexts(db)]]);
}
