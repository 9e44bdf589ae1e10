import type { Context } from '../context.ts';
import type { RevealPolicy } from '../field-encryption/index.ts';
import type { Card } from './card.ts';

/** The need-to-know policies card grants name in the SDL (`@decryptFor(..., policy: "pending")`). */
export const cardRevealPolicies: Record<string, RevealPolicy<Context>> = {
  /** Only cards still to be processed: a processed or failed card is nobody's business any more. */
  pending: (card) => (card as Partial<Card>).status === 'PENDING',
};
