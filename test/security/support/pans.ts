import fc from 'fast-check';
import { luhnValid } from '../../../src/cards/pan.ts';

/** Appends the Luhn check digit to a body of digits. */
export function withCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(`${body}${digit}`)) return `${body}${digit}`;
  }
  throw new Error('unreachable: one check digit always fits');
}

/** Valid card numbers of 12 to 19 digits. */
export const luhnPan = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 })
  .map((digits) => withCheckDigit(digits.join('')));
