import { withCheckDigit } from '../../src/cards/pan.ts';

/** A 16-digit PAN with a valid Luhn check digit: `prefix`, then n zero-padded; distinct for each n. */
export function panFor(n: number, prefix = '4'): string {
  return withCheckDigit(`${prefix}${String(n).padStart(15 - prefix.length, '0')}`);
}
