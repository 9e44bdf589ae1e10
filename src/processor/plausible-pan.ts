import { luhnValid } from '../cards/pan.ts';

/** True for 12-19 digits with a valid Luhn digit: never for ciphertext, a mask or an empty value. */
export function isPlausiblePan(value: string | null): value is string {
  return value !== null && /^\d{12,19}$/.test(value) && luhnValid(value);
}
