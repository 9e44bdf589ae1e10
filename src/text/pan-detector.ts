import { luhnValid } from '../cards/pan.ts';

const MIN_PAN_DIGITS = 12;
const MAX_PAN_DIGITS = 19;

const DECIMAL_DIGIT = /\p{Nd}/u;
const ALPHANUMERIC = /[\p{L}\p{N}]/u;

/** A card number found in a text: where it is (code point indexes into the NFKC form) and its digits. */
export interface FoundPan {
  start: number;
  end: number;
  digits: string;
}

/**
 * The value of a decimal digit of any script. Unicode encodes every script's digits 0 to 9 as one
 * contiguous block of code points, blocks of several scripts sometimes back to back: the number of
 * decimal digit code points right before this one, modulo 10, is its value.
 */
function digitValue(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  let before = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - before - 1))) before++;
  return String(before % 10);
}

interface DigitAt {
  digit: string;
  index: number;
}

/**
 * Groups of digits separated only by characters that are neither letters nor numbers (spaces,
 * punctuation, symbols, zero-width and other format characters): what a reader sees as one number.
 */
function digitRuns(chars: readonly string[]): DigitAt[][] {
  const runs: DigitAt[][] = [];
  let current: DigitAt[] = [];
  for (const [index, char] of chars.entries()) {
    if (DECIMAL_DIGIT.test(char)) {
      current.push({ digit: char >= '0' && char <= '9' ? char : digitValue(char), index });
    } else if (ALPHANUMERIC.test(char)) {
      if (current.length > 0) runs.push(current);
      current = [];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/**
 * Every 12-to-19-digit stretch of a digit run that passes the Luhn check, after NFKC normalisation
 * (full-width and other compatibility digits become ASCII). Stretches inside longer runs count too:
 * a digit written before or after a card number must not hide it.
 */
export function findPans(text: string): { chars: string[]; pans: FoundPan[] } {
  const chars = Array.from(text.normalize('NFKC'));
  const pans: FoundPan[] = [];
  for (const run of digitRuns(chars)) {
    let from = 0;
    while (from + MIN_PAN_DIGITS <= run.length) {
      const found = longestPanAt(run, from);
      if (found === undefined) {
        from++;
        continue;
      }
      pans.push(found.pan);
      from = found.next;
    }
  }
  return { chars, pans };
}

function longestPanAt(run: DigitAt[], from: number): { pan: FoundPan; next: number } | undefined {
  for (let length = Math.min(MAX_PAN_DIGITS, run.length - from); length >= MIN_PAN_DIGITS; length--) {
    const slice = run.slice(from, from + length);
    const digits = slice.map((entry) => entry.digit).join('');
    if (!luhnValid(digits)) continue;
    const first = slice[0] as DigitAt;
    const last = slice[slice.length - 1] as DigitAt;
    return { pan: { start: first.index, end: last.index + 1, digits }, next: from + length };
  }
  return undefined;
}

/** Whether a text holds a card number, however it is spaced, punctuated or written. */
export function containsPan(text: string): boolean {
  return findPans(text).pans.length > 0;
}

/**
 * The text (NFKC-normalised) with each card number in it masked as receipts print it, first six
 * and last four digits kept: 453929******1157.
 */
export function maskPans(text: string): string {
  let current = text;
  for (;;) {
    const { chars, pans } = findPans(current);
    if (pans.length === 0) return chars.join('');
    // The digits a mask keeps can join the digits after it into a new number: mask until none is left.
    current = maskOnce(chars, pans);
  }
}

function maskOnce(chars: readonly string[], pans: readonly FoundPan[]): string {
  let masked = '';
  let at = 0;
  for (const { start, end, digits } of pans) {
    masked += `${chars.slice(at, start).join('')}${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
    at = end;
  }
  return masked + chars.slice(at).join('');
}

/**
 * Free text made fit to store and to log: NUL characters (which PostgreSQL text cannot hold) become
 * U+FFFD and card numbers are masked (see maskPans). For texts the server itself writes from what it
 * cannot choose, such as a processing step's error message.
 */
export function scrubFreeText(text: string): string {
  return maskPans(text.replaceAll('\u0000', '\ufffd'));
}
