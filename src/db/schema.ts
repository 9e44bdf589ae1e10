import { sql } from 'drizzle-orm';
import { bigserial, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { transitBlindIndex, transitCiphertext, transitCiphertextConstraints } from '../field-encryption/drizzle.ts';

export { revealEvents, revealReservations } from '../field-encryption/drizzle.ts';

export const cardStatus = pgEnum('card_status', ['pending', 'processed', 'failed']);

/** Credit cards. `pan` only ever holds transit ciphertext (`vault:v<N>:...`), never a card number. */
export const creditCards = pgTable(
  'credit_cards',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    /** Insertion order; the keyset behind cursor pagination. */
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    name: text('name').notNull(),
    ...transitCiphertext('pan', { key: 'card-pan', bindTo: 'id' }),
    /** HMAC of the card number under its own key: finds a card by number without decrypting (null until reindexed). */
    ...transitBlindIndex('pan', { key: 'card-pan-index' }),
    status: cardStatus('status').notNull().default('pending'),
    claimedBy: text('claimed_by'),
    claimExpiresAt: timestamp('claim_expires_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (table) => [index('credit_cards_status_seq_idx').on(table.status, table.seq), ...transitCiphertextConstraints(table)],
);

export type CreditCardRow = typeof creditCards.$inferSelect;
export type NewCreditCardRow = typeof creditCards.$inferInsert;
