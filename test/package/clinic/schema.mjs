// The clinic's drizzle schema: its own table, and the two tables transitql keeps (re-exported so that
// drizzle-kit generates their migrations with the clinic's).
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { transitBlindIndex, transitCiphertext, transitCiphertextConstraints } from 'transitql/drizzle';

export { revealEvents, revealReservations } from 'transitql/drizzle';

export const patients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    ...transitCiphertext('ssn', { key: 'patient-ssn', bindTo: 'id' }),
    ...transitBlindIndex('ssn', { key: 'patient-ssn-index' }),
  },
  (table) => transitCiphertextConstraints(table),
);
