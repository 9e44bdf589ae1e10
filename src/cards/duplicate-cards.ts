import type { BlindIndex } from '../field-encryption/index.ts';

export type OnDuplicate = 'ALLOW' | 'REJECT' | 'RETURN_EXISTING';

/** A card of a create whose number is on file already, or earlier in the same batch. */
export interface Duplicate {
  /** Position in the batch. */
  index: number;
  /** The oldest card on file with that number, if any. */
  existingId?: string;
  /** The earlier position in the same batch with that number, if any. */
  duplicateOfIndex?: number;
}

/** REJECT found duplicates: nothing was stored. Names record ids and positions, never a number. */
export class DuplicateCardError extends Error {
  override name = 'DuplicateCardError';
  constructor(readonly duplicates: readonly Duplicate[]) {
    const [first] = duplicates;
    super(
      duplicates.length === 1 && first?.existingId !== undefined
        ? `a card with this number is on file already: ${first.existingId}`
        : `${duplicates.length} card${duplicates.length === 1 ? '' : 's'} of this batch duplicate a number on file or earlier in the batch`,
    );
  }
}

/**
 * Which cards of a batch duplicate one on file (`onFile`: the number's latest index → oldest id on
 * file) or an earlier card of the batch. Cards are told apart by their blind index under the latest
 * version: one number, one value.
 */
export function findDuplicates(
  indexes: readonly BlindIndex[],
  onFile: ReadonlyMap<string, string>,
): Map<number, Duplicate> {
  const firstAt = new Map<string, number>();
  const duplicates = new Map<number, Duplicate>();
  indexes.forEach((index, position) => {
    const existingId = onFile.get(index.latest);
    const earlier = firstAt.get(index.latest);
    if (earlier === undefined) firstAt.set(index.latest, position);
    if (existingId === undefined && earlier === undefined) return;
    duplicates.set(position, {
      index: position,
      ...(existingId === undefined ? {} : { existingId }),
      ...(earlier === undefined ? {} : { duplicateOfIndex: earlier }),
    });
  });
  return duplicates;
}
