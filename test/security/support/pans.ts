import fc from 'fast-check';
import { withCheckDigit } from '../../../src/cards/pan.ts';

/** Valid card numbers of 12 to 19 digits. */
export const luhnPan = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 })
  .map((digits) => withCheckDigit(digits.join('')));
