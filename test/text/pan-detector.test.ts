import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsPan, maskPans } from '../../src/text/pan-detector.ts';
import { disguisedPan } from '../security/support/disguised-pans.ts';

describe('the PAN detector', () => {
  it('finds a valid card number however it is spaced, punctuated or written, and masks it', () => {
    fc.assert(
      fc.property(disguisedPan, ({ pan, text }) => {
        expect(containsPan(text)).toBe(true);
        const masked = maskPans(text);
        expect(containsPan(masked)).toBe(false);
        expect(masked.replace(/\D/g, '')).not.toContain(pan);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['4539296620131157', '453929******1157'],
    ['declined: 4539.2966/2013_1157 (retry)', 'declined: 453929******1157 (retry)'],
    ['４５３９２９６６２０１３１１５７', '453929******1157'],
    ['4539\u200b2966\u200b2013\u200b1157', '453929******1157'],
    ['1 4539 2966 2013 1157 9', '145392********1579'],
  ])('masks %j as %j', (text, masked) => {
    expect(maskPans(text)).toBe(masked);
  });

  it('leaves text without a 12-to-19-digit number passing the Luhn check alone', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((text) => !/\p{Nd}/u.test(text)),
        (text) => {
          expect(containsPan(text)).toBe(false);
          expect(maskPans(text)).toBe(text.normalize('NFKC'));
        },
      ),
      { numRuns: 500 },
    );
    for (const text of [
      'Carlos Gardel',
      'order 12345678901 (eleven digits)',
      '1234 5678 9012 (fails the Luhn check)',
      'id 4539 x 2966 y 2013 z 1157',
    ]) {
      expect(containsPan(text), text).toBe(false);
    }
  });

  it('stops a digit written before or after the number from hiding it', () => {
    fc.assert(
      fc.property(disguisedPan, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (disguised, a, b) => {
        expect(containsPan(`${a} ${disguised.text} ${b}`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
