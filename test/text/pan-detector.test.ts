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

  /** The least of five timings: the cores are shared, and only the scan's own work shows in every one. */
  const fastest = (scan: () => void) =>
    Math.min(
      ...Array.from({ length: 5 }, () => {
        const started = performance.now();
        scan();
        return performance.now() - started;
      }),
    );
  const digits = (length: number) => '１2 3-4'.repeat(length / 6);
  const pans = (length: number) => '4539296620131157 '.repeat(length / 17);

  it('takes time linear in the text: ten times the text, not a hundred times the time', () => {
    for (const [name, text] of [
      ['digits without a card number', digits],
      ['card numbers back to back', pans],
    ] as const) {
      fastest(() => maskPans(text(20_000)));
      const ratio = fastest(() => maskPans(text(200_000))) / fastest(() => maskPans(text(20_000)));
      expect(ratio, name).toBeLessThan(30);
    }
  });

  it('scans the most text one request may carry (1000 names of 256 digits) in well under a second', () => {
    const names = Array.from({ length: 1000 }, () => '１'.repeat(256));
    expect(fastest(() => names.some((name) => containsPan(name)))).toBeLessThan(250);
  });
});
