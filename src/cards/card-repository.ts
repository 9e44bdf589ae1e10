import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type CreditCardRow, creditCards } from '../db/schema.ts';
import type { BlindIndex } from '../field-encryption/index.ts';
import { type Card, type CardStatus, toCard, toRowStatus } from './card.ts';
import { DuplicateCardError, findDuplicates, type OnDuplicate } from './duplicate-cards.ts';

export interface NewCard {
  /** Fixed before the PAN was encrypted: the PAN's ciphertext is bound to it. */
  id: string;
  name: string;
  /** Transit ciphertext, never a card number. */
  pan: string;
  /** The number's keyed blind index (HMACs), never the number; without one the card is not found by number until reindexed. */
  panIndex?: BlindIndex;
}

/** Pending cards no claim can take now, and when the first of each kind can be claimed again. */
export interface WaitingCards {
  leased: number;
  firstLeaseEndsAt: Date | null;
  retrying: number;
  firstRetryAt: Date | null;
}

export interface CardPage {
  cards: Card[];
  hasNextPage: boolean;
}

/** Card storage. Written once for drizzle; runs on postgres.js and PGlite alike. */
export class CardRepository {
  constructor(private readonly db: Db) {}

  /**
   * Inserts the cards in one transaction: all are stored, or none. Unless duplicates are allowed, the
   * numbers are locked first (a transaction-scoped advisory lock per number, taken in one order), so
   * concurrent creates of one number are serialised and see each other's cards; then REJECT throws
   * DuplicateCardError (nothing stored) and RETURN_EXISTING stores only the new numbers and answers
   * the card on file (or the earlier one of the batch) in place of each duplicate. `found` hears which
   * cards on file the numbers matched, before anything is answered.
   */
  async createMany(
    cards: readonly NewCard[],
    onDuplicate: OnDuplicate = 'ALLOW',
    found?: (existingIds: readonly string[]) => void,
  ): Promise<Card[]> {
    if (cards.length === 0) return [];
    const valuesOf = (card: NewCard) => ({
      id: card.id,
      name: card.name,
      pan: card.pan,
      panIndex: card.panIndex?.latest,
    });
    if (onDuplicate === 'ALLOW') {
      const rows = await this.db.transaction((tx) => tx.insert(creditCards).values(cards.map(valuesOf)).returning());
      return rows.map(toCard);
    }
    const indexes = cards.map((card) => {
      if (card.panIndex === undefined) throw new Error('duplicates can only be found for cards with a blind index');
      return card.panIndex;
    });
    return this.db.transaction(async (tx) => {
      const numbers = [...new Set(indexes.map((index) => index.latest))];
      await tx.execute(
        sql`select pg_advisory_xact_lock(h) from (select distinct hashtextextended(v, 0) as h from unnest(array[${sql.join(
          numbers.map((number) => sql`${number}`),
          sql`, `,
        )}]::text[]) as v) locks order by h`,
      );
      const onFileRows = await tx
        .select()
        .from(creditCards)
        .where(inArray(creditCards.panIndex, [...new Set(indexes.flatMap((index) => index.candidates))]))
        .orderBy(asc(creditCards.seq));
      const latestOf = new Map(indexes.flatMap((index) => index.candidates.map((value) => [value, index.latest])));
      const onFile = new Map<string, CreditCardRow>();
      for (const row of onFileRows) {
        const latest = latestOf.get(row.panIndex ?? '');
        if (latest !== undefined && !onFile.has(latest)) onFile.set(latest, row);
      }
      const duplicates = findDuplicates(indexes, new Map([...onFile].map(([latest, row]) => [latest, row.id])));
      found?.([...onFile.values()].map((row) => row.id));
      if (onDuplicate === 'REJECT' && duplicates.size > 0) throw new DuplicateCardError([...duplicates.values()]);
      const fresh = cards.filter((_, position) => !duplicates.has(position));
      const inserted = fresh.length === 0 ? [] : await tx.insert(creditCards).values(fresh.map(valuesOf)).returning();
      const byId = new Map(inserted.map((row) => [row.id, row]));
      const answer: CreditCardRow[] = [];
      cards.forEach((card, position) => {
        const duplicate = duplicates.get(position);
        const row =
          duplicate === undefined
            ? byId.get(card.id)
            : duplicate.existingId !== undefined
              ? onFile.get(indexes[position]?.latest ?? '')
              : answer[duplicate.duplicateOfIndex ?? -1];
        if (row === undefined) throw new Error('a created card is missing from the answer');
        answer.push(row);
      });
      return answer.map(toCard);
    });
  }

  /** The cards whose blind index is any of `candidates` (one number under each live index version), oldest first. */
  async findByBlindIndex(candidates: readonly string[], limit: number): Promise<Card[]> {
    if (candidates.length === 0) return [];
    const rows = await this.db
      .select()
      .from(creditCards)
      .where(inArray(creditCards.panIndex, [...candidates]))
      .orderBy(asc(creditCards.seq))
      .limit(limit);
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

  /** A claim leaves `claimed_by` set; a failed attempt clears it and keeps the retry time in `claim_expires_at`. */
  async waiting(): Promise<WaitingCards> {
    const leased = sql`${creditCards.claimedBy} is not null`;
    const retrying = sql`${creditCards.claimedBy} is null`;
    const [row] = await this.db
      .select({
        leased: sql<number>`count(*) filter (where ${leased})`.mapWith(Number),
        firstLeaseEndsAt: sql`min(${creditCards.claimExpiresAt}) filter (where ${leased})`.mapWith(
          creditCards.claimExpiresAt,
        ),
        retrying: sql<number>`count(*) filter (where ${retrying})`.mapWith(Number),
        firstRetryAt: sql`min(${creditCards.claimExpiresAt}) filter (where ${retrying})`.mapWith(
          creditCards.claimExpiresAt,
        ),
      })
      .from(creditCards)
      .where(and(eq(creditCards.status, 'pending'), gt(creditCards.claimExpiresAt, sql`now()`)));
    return {
      leased: row?.leased ?? 0,
      firstLeaseEndsAt: row?.firstLeaseEndsAt ?? null,
      retrying: row?.retrying ?? 0,
      firstRetryAt: row?.firstRetryAt ?? null,
    };
  }

  /**
   * Claims up to `limit` claimable pending cards for `claimant` in one statement. `SKIP LOCKED` makes
   * concurrent claimers take disjoint cards; Postgres re-checks the claim condition on rows another
   * claimer committed meanwhile, so a card is never handed to two live claims.
   */
  async claim(claimant: string, limit: number, leaseSeconds: number): Promise<Card[]> {
    const claimable = this.db
      .select({ id: creditCards.id })
      .from(creditCards)
      .where(
        and(
          eq(creditCards.status, 'pending'),
          or(isNull(creditCards.claimExpiresAt), lt(creditCards.claimExpiresAt, sql`now()`)),
        ),
      )
      .orderBy(asc(creditCards.seq))
      .limit(limit)
      .for('update', { skipLocked: true });
    const rows = await this.db
      .update(creditCards)
      .set({ claimedBy: claimant, claimExpiresAt: secondsFromNow(leaseSeconds), updatedAt: sql`now()` })
      .where(inArray(creditCards.id, claimable))
      .returning();
    return rows.sort((a, b) => a.seq - b.seq).map(toCard);
  }

  /** Marks pending cards claimed by `claimant` processed; cards claimed by others are left alone. */
  async markProcessed(claimant: string, ids: readonly string[]): Promise<Card[]> {
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
      .where(this.claimedBy(claimant, ids))
      .returning();
    return rows.map(toCard);
  }

  /** Clears the claim of cards held by `claimant` without counting an attempt. */
  async release(claimant: string, ids: readonly string[]): Promise<Card[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .update(creditCards)
      .set({ claimedBy: null, claimExpiresAt: null, updatedAt: sql`now()` })
      .where(this.claimedBy(claimant, ids))
      .returning();
    return rows.map(toCard);
  }

  /**
   * Records a failed attempt on cards held by `claimant`: the claim is cleared and, until the retry
   * delay has passed, `claim_expires_at` keeps the card from being claimed again; at `maxAttempts`
   * the card moves to failed.
   */
  async markFailed(
    claimant: string,
    ids: readonly string[],
    failure: { error: string; retryAfterSeconds: number; maxAttempts: number },
  ): Promise<Card[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .update(creditCards)
      .set({
        attempts: sql`${creditCards.attempts} + 1`,
        lastError: failure.error,
        status: sql`case when ${creditCards.attempts} + 1 >= ${failure.maxAttempts}::int then 'failed'::card_status else 'pending'::card_status end`,
        claimedBy: null,
        claimExpiresAt: secondsFromNow(failure.retryAfterSeconds),
        updatedAt: sql`now()`,
      })
      .where(this.claimedBy(claimant, ids))
      .returning();
    return rows.map(toCard);
  }

  private claimedBy(claimant: string, ids: readonly string[]) {
    return and(
      inArray(creditCards.id, [...ids]),
      eq(creditCards.status, 'pending'),
      eq(creditCards.claimedBy, claimant),
    );
  }
}

function secondsFromNow(seconds: number) {
  return sql`now() + ${seconds}::int * interval '1 second'`;
}
