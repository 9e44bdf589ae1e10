import fc from 'fast-check';
import { luhnPan } from './pans.ts';

/** Zero for each digit class a card number can be written in; NFKC folds some of them to ASCII, not all. */
const DIGIT_ZEROS = {
  ascii: 0x30,
  fullWidth: 0xff10,
  arabicIndic: 0x0660,
  devanagari: 0x0966,
  mathematicalBold: 0x1d7ce,
  mathematicalMonospace: 0x1d7f6,
  osmanya: 0x104a0,
} as const;

/** Characters a number can be broken up with that are neither letters nor digits. */
export const SEPARATORS = [
  '',
  ' ',
  '-',
  '.',
  '/',
  '_',
  '+',
  '\u00b7', // middle dot
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\ufeff', // zero-width no-break space
  '\u00ad', // soft hyphen
  '\u3000', // ideographic space
  ' \u200b',
] as const;

/** The text with the digits of every class above written as ASCII digits. */
export function asciiDigits(text: string): string {
  return [...text]
    .map((character) => {
      const codePoint = character.codePointAt(0) ?? 0;
      const zero = Object.values(DIGIT_ZEROS).find((candidate) => codePoint >= candidate && codePoint < candidate + 10);
      return zero === undefined ? character : String(codePoint - zero);
    })
    .join('');
}

export const digitClass = fc.constantFrom(...(Object.keys(DIGIT_ZEROS) as Array<keyof typeof DIGIT_ZEROS>));

export function writeDigits(pan: string, digitClassName: keyof typeof DIGIT_ZEROS): string {
  return [...pan].map((digit) => String.fromCodePoint(DIGIT_ZEROS[digitClassName] + Number(digit))).join('');
}

/** A valid card number written in one digit class, with any separator between any two digits, inside some text. */
export const disguisedPan = fc
  .record({
    pan: luhnPan,
    digits: digitClass,
    separators: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 18, maxLength: 18 }),
    before: fc.constantFrom('', 'declined: ', 'card ', 'Carlos Gardel '),
    after: fc.constantFrom('', ' (retry later)', ' Jr.'),
  })
  .map(({ pan, digits, separators, before, after }) => {
    const written = [...writeDigits(pan, digits)].map((digit, index) =>
      index === 0 ? digit : `${separators[index - 1]}${digit}`,
    );
    return { pan, text: `${before}${written.join('')}${after}` };
  });
