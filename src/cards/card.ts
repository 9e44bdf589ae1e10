import type { CreditCardRow } from '../db/schema.ts';

export type CardStatus = 'PENDING' | 'PROCESSED' | 'FAILED';

/** A stored card as the API handles it: `pan` is always ciphertext. */
export interface Card {
  id: string;
  seq: number;
  name: string;
  pan: string;
  panKeyVersion: number;
  status: CardStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  processedAt: Date | null;
}

export function toCard(row: CreditCardRow): Card {
  return {
    id: row.id,
    seq: row.seq,
    name: row.name,
    pan: row.pan,
    panKeyVersion: row.panKeyVersion,
    status: row.status.toUpperCase() as CardStatus,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    processedAt: row.processedAt,
  };
}

export function toRowStatus(status: CardStatus): CreditCardRow['status'] {
  return status.toLowerCase() as CreditCardRow['status'];
}
