import { describe, expect, it } from 'vitest';
import { isPlausiblePan } from '../../src/processor/plausible-pan.ts';
import { printCard } from '../../src/processor/print-card.ts';

describe('the default processing step', () => {
  const print = (reveal: boolean) => {
    const lines: string[] = [];
    printCard({ reveal, write: (line) => lines.push(line) })({
      id: 'x',
      name: 'Aníbal Troilo',
      pan: '2720997130887021',
    });
    return lines;
  };

  it('prints the upper-cased name and a masked number', () => {
    expect(print(false)).toEqual(['Processing ANÍBAL TROILO card with number 272099******7021']);
  });

  it('prints the full number only when asked to reveal it', () => {
    expect(print(true)).toEqual(['Processing ANÍBAL TROILO card with number 2720997130887021']);
  });
});

describe('what counts as a plausible PAN', () => {
  it.each([
    ['4539296620131157', true],
    ['4539296620131158', false],
    ['vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==', false],
    ['************1157', false],
    ['', false],
    [null, false],
  ])('%s → %s', (value, plausible) => {
    expect(isPlausiblePan(value)).toBe(plausible);
  });
});
