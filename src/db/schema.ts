import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const cardStatus = pgEnum('card_status', ['pending', 'processed', 'failed']);

/** Credit cards. `pan` only ever holds transit ciphertext (`vault:v<N>:...`), never a card number. */
export const creditCards = pgTable(
  'credit_cards',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    /** Insertion order; the keyset behind cursor pagination. */
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    name: text('name').notNull(),
    pan: text('pan').notNull(),
    panKeyVersion: integer('pan_key_version').notNull(),
    status: cardStatus('status').notNull().default('pending'),
    claimedBy: text('claimed_by'),
    claimExpiresAt: timestamp('claim_expires_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (table) => [
    index('credit_cards_status_seq_idx').on(table.status, table.seq),
    index('credit_cards_pan_key_version_idx').on(table.panKeyVersion),
    check('credit_cards_pan_is_ciphertext', sql`${table.pan} ~ '^vault:v[0-9]+:'`),
  ],
);

export type CreditCardRow = typeof creditCards.$inferSelect;
export type NewCreditCardRow = typeof creditCards.$inferInsert;
