import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { transitCiphertext, transitCiphertextConstraints } from '../../src/field-encryption/index.ts';

/** A stored ciphertext column that no @encrypted field of the app's schema names: a declaration mismatch. */
export const undeclaredPatients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    ...transitCiphertext('iban', { key: 'patient-iban' }),
  },
  (table) => [...transitCiphertextConstraints(table)],
);
