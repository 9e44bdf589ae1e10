import { createHash } from 'node:crypto';
import type { RevealEventRow } from './reveal-events-table.ts';

/** The first record's predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

export type ChainedFields = Omit<RevealEventRow, 'seq' | 'hash' | 'seal'>;

/** SHA-256 over the record's fields in a fixed order, its predecessor's hash included. */
export function chainHash(event: ChainedFields): string {
  const fields = [
    event.prevHash,
    event.at.toISOString(),
    event.requestId,
    event.subject,
    event.role,
    event.mask,
    event.field,
    event.key,
    event.operation,
    event.clientAddress,
    event.recordIds,
    event.count,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
