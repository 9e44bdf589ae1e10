import { randomInt } from 'node:crypto';
import { withCheckDigit } from '../cards/pan.ts';

/** A random 16-digit Visa-like card number with a valid Luhn check digit. */
function randomPan(): string {
  return withCheckDigit(`4${Array.from({ length: 14 }, () => randomInt(10)).join('')}`);
}

export function randomCards(count: number): Array<{ name: string; pan: string }> {
  return Array.from({ length: count }, (_, index) => ({ name: `Bench Card ${index}`, pan: randomPan() }));
}
