import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { creditCards } from '../db/schema.ts';
import { keyVersionOf } from '../transit/ciphertext.ts';
import { type Card, type CardStatus, toCard, toRowStatus } from './card.ts';

export interface NewCard {
  name: string;
  /** Transit ciphertext, never a card number. */
  pan: string;
}

export interface CardPage {
  cards: Card[];
  hasNextPage: boolean;
}

/** Card storage. Written once for drizzle; runs on postgres.js and PGlite alike. */
export class CardRepository {
  constructor(private readonly db: Db) {}

  /** Inserts all cards in one transaction: all are stored, or none. */
  async createMany(cards: readonly NewCard[]): Promise<Card[]> {
    if (cards.length === 0) return [];
    const values = cards.map((card) => {
      const version = keyVersionOf(card.pan);
      if (version === null) throw new Error('refusing to store a PAN that is not transit ciphertext');
      return { name: card.name, pan: card.pan, panKeyVersion: version };
    });
    const rows = await this.db.transaction((tx) => tx.insert(creditCards).values(values).returning());
    return rows.map(toCard);
  }

  async findById(id: string): Promise<Card | undefined> {
    const [row] = await this.db.select().from(creditCards).where(eq(creditCards.id, id));
    return row === undefined ? undefined : toCard(row);
  }

  /** Oldest first, after the given position, `first` at a time. */
  async list(options: { first: number; afterSeq?: number; status?: CardStatus }): Promise<CardPage> {
    const conditions = [];
    if (options.afterSeq !== undefined) conditions.push(gt(creditCards.seq, options.afterSeq));
    if (options.status !== undefined) conditions.push(eq(creditCards.status, toRowStatus(options.status)));
    const rows = await this.db
      .select()
      .from(creditCards)
      .where(and(...conditions))
      .orderBy(asc(creditCards.seq))
      .limit(options.first + 1);
    return { cards: rows.slice(0, options.first).map(toCard), hasNextPage: rows.length > options.first };
  }

  async markProcessed(ids: readonly string[]): Promise<Card[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .update(creditCards)
      .set({
        status: 'processed',
        processedAt: sql`now()`,
        updatedAt: sql`now()`,
        claimedBy: null,
        claimExpiresAt: null,
      })
      .where(and(inArray(creditCards.id, [...ids]), eq(creditCards.status, 'pending')))
      .returning();
    return rows.map(toCard);
  }
}
