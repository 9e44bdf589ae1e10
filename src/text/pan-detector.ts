const MIN_PAN_DIGITS = 12;
const MAX_PAN_DIGITS = 19;

const DECIMAL_DIGIT = /\p{Nd}/u;
const ALPHANUMERIC = /[\p{L}\p{N}]/u;
const NON_ASCII = /[\u0080-\u{10ffff}]/u;

/** A card number found in a text: where it is (UTF-16 indexes into the NFKC form) and its digits. */
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
function digitValue(codePoint: number): number {
  let before = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - before - 1))) before++;
  return before % 10;
}

/** A digit's value, -1 for another letter or number (which ends a run), -2 for anything else (which does not). */
function classify(codePoint: number): number {
  if (codePoint < 0x80) {
    if (codePoint >= 0x30 && codePoint <= 0x39) return codePoint - 0x30;
    return (codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a) ? -1 : -2;
  }
  const char = String.fromCodePoint(codePoint);
  if (DECIMAL_DIGIT.test(char)) return digitValue(codePoint);
  return ALPHANUMERIC.test(char) ? -1 : -2;
}

/**
 * The digits of a text in order, each with where it is, and Luhn prefix sums: `evenLast[k]` adds the
 * digits before position k, those at even positions as written and those at odd positions doubled
 * (the Luhn sum of a stretch ending at an even position), `oddLast[k]` the other way round. Any
 * stretch is then checked in constant time.
 */
class Digits {
  count = 0;
  readonly values: Uint8Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  private readonly evenLast: Uint32Array;
  private readonly oddLast: Uint32Array;

  constructor(capacity: number) {
    this.values = new Uint8Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
    this.evenLast = new Uint32Array(capacity + 1);
    this.oddLast = new Uint32Array(capacity + 1);
  }

  push(digit: number, start: number, end: number): void {
    const at = this.count++;
    this.values[at] = digit;
    this.starts[at] = start;
    this.ends[at] = end;
    const twice = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    const even = at % 2 === 0;
    this.evenLast[at + 1] = (this.evenLast[at] as number) + (even ? digit : twice);
    this.oddLast[at + 1] = (this.oddLast[at] as number) + (even ? twice : digit);
  }

  /** Whether digits from..to (exclusive) pass the Luhn check: the last one is not doubled, the one before is. */
  luhnValid(from: number, to: number): boolean {
    const sums = (to - 1) % 2 === 0 ? this.evenLast : this.oddLast;
    return ((sums[to] as number) - (sums[from] as number)) % 10 === 0;
  }

  /** The longest Luhn-valid stretches of the run from..to (a group of digits read as one number), leftmost first, none overlapping. */
  pansIn(from: number, to: number, found: FoundPan[]): void {
    let at = from;
    while (at + MIN_PAN_DIGITS <= to) {
      let length = Math.min(MAX_PAN_DIGITS, to - at);
      while (length >= MIN_PAN_DIGITS && !this.luhnValid(at, at + length)) length--;
      if (length < MIN_PAN_DIGITS) {
        at++;
        continue;
      }
      found.push({
        start: this.starts[at] as number,
        end: this.ends[at + length - 1] as number,
        digits: Array.from(this.values.subarray(at, at + length)).join(''),
      });
      at += length;
    }
  }
}

/**
 * Every 12-to-19-digit stretch of a digit run that passes the Luhn check, after NFKC normalisation
 * (full-width and other compatibility digits become ASCII). A run is a group of digits separated only
 * by characters that are neither letters nor numbers (spaces, punctuation, symbols, zero-width and
 * other format characters): what a reader sees as one number. Stretches inside longer runs count too:
 * a digit written before or after a card number must not hide it. Linear in the text's length.
 */
export function findPans(text: string): { normalized: string; pans: FoundPan[] } {
  // ASCII is its own normal form.
  const normalized = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  const digits = new Digits(normalized.length);
  const pans: FoundPan[] = [];
  let runStart = 0;
  for (let index = 0; index < normalized.length; index++) {
    const codePoint = normalized.codePointAt(index) as number;
    const start = index;
    if (codePoint > 0xffff) index++;
    const kind = classify(codePoint);
    if (kind >= 0) {
      digits.push(kind, start, index + 1);
    } else if (kind === -1) {
      digits.pansIn(runStart, digits.count, pans);
      runStart = digits.count;
    }
  }
  digits.pansIn(runStart, digits.count, pans);
  return { normalized, pans };
}

/** Whether a text holds a card number, however it is spaced, punctuated or written. */
export function containsPan(text: string): boolean {
  return findPans(text).pans.length > 0;
}

/** Masking passes before the rest is masked wholesale (a text built so that each pass uncovers another number). */
const MAX_MASK_PASSES = 4;

/**
 * The text (NFKC-normalised) with each card number in it masked as receipts print it, first six
 * and last four digits kept: 453929******1157.
 */
export function maskPans(text: string): string {
  let current = text;
  for (let pass = 0; pass < MAX_MASK_PASSES; pass++) {
    const { normalized, pans } = findPans(current);
    if (pans.length === 0) return normalized;
    // The digits a mask keeps can join the digits around it into a new number: mask again.
    current = maskOnce(normalized, pans);
  }
  const { normalized, pans } = findPans(current);
  if (pans.length === 0) return normalized;
  // Each pass would uncover another number: mask every digit, so the work stays linear.
  return Array.from(normalized, (char) => (classify(char.codePointAt(0) as number) >= 0 ? '*' : char)).join('');
}

function maskOnce(text: string, pans: readonly FoundPan[]): string {
  let masked = '';
  let at = 0;
  for (const { start, end, digits } of pans) {
    masked += `${text.slice(at, start)}${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
    at = end;
  }
  return masked + text.slice(at);
}

/**
 * Free text made fit to store and to log: NUL characters (which PostgreSQL text cannot hold) become
 * U+FFFD and card numbers are masked (see maskPans). For texts the server itself writes from what it
 * cannot choose, such as a processing step's error message.
 */
export function scrubFreeText(text: string): string {
  return maskPans(text.replaceAll('\u0000', '\ufffd'));
}
