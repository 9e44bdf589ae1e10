import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The reveal record: one row per request, field, key and grant whose values left the API decrypted
 * or masked. Append-only; each row's `hash` chains it to the one before, and the last row of each
 * write (a group commit of the requests waiting) carries `seal`, a transit HMAC of its hash under a
 * key the database never holds; a seal covers every row before it through the chain.
 */
export const revealEvents = pgTable(
  'reveal_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    requestId: text('request_id').notNull(),
    subject: text('subject').notNull(),
    role: text('role').notNull(),
    mask: text('mask').notNull(),
    field: text('field').notNull(),
    key: text('key').notNull(),
    operation: text('operation'),
    clientAddress: text('client_address'),
    recordIds: jsonb('record_ids').$type<string[]>().notNull(),
    count: integer('count').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    seal: text('seal'),
  },
  // Rolling-window budgets sum a subject's reveals under one grant since a time.
  (table) => [
    index('reveal_events_subject_grant_at_idx').on(table.subject, table.field, table.role, table.mask, table.at),
  ],
);

export type RevealEventRow = typeof revealEvents.$inferSelect;
