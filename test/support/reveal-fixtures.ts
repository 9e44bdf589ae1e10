import type { RevealGroup, RevealRequest } from '../../src/field-encryption/index.ts';

/** One processor reveal of one card's PAN: what the ledger suites append. */
export const group: RevealGroup = {
  field: 'Card.pan',
  key: 'card-pan',
  role: 'processor',
  mask: 'NONE',
  recordIds: ['r'],
  count: 1,
};

export const request = (requestId: string): RevealRequest => ({
  requestId,
  subject: 's',
  operation: undefined,
  clientAddress: undefined,
});
