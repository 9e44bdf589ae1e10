import { bigserial, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Values a request has been allowed to reveal under a grant's rolling-window budget but has not yet
 * written to the reveal record. Counted with the record, so that concurrent requests on any API
 * replica cannot together pass the budget; the request's rows are deleted in the transaction that
 * writes its reveal record (or when it ends without one), and expire if its process dies.
 */
export const revealReservations = pgTable(
  'reveal_reservations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: text('request_id').notNull(),
    subject: text('subject').notNull(),
    field: text('field').notNull(),
    role: text('role').notNull(),
    mask: text('mask').notNull(),
    count: integer('count').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('reveal_reservations_grant_idx').on(table.subject, table.field, table.role, table.mask),
    index('reveal_reservations_request_idx').on(table.requestId),
  ],
);
