/**
 * The drizzle side of field encryption: the column helpers for encrypted values and their blind
 * indexes, and the two tables the module keeps (re-export them from your drizzle schema so that
 * drizzle-kit generates their migrations with yours).
 */

export { type RevealEventRow, revealEvents } from './audit/reveal-events-table.ts';
export { revealReservations } from './budget/reveal-reservations-table.ts';
export { transitBlindIndex } from './storage/transit-blind-index.ts';
export { transitCiphertext, transitCiphertextConstraints } from './storage/transit-ciphertext.ts';
