import { applyMask } from '../field-encryption/index.ts';
import { maskPans } from '../text/pan-detector.ts';

export interface CardToProcess {
  id: string;
  name: string;
  /** The card number in the clear, already checked to be a plausible PAN. */
  pan: string;
}

/** A processing step: resolves when the card is done, throws when it failed (and should be retried). */
export type ProcessCard = (card: CardToProcess) => Promise<void> | void;

/**
 * The default step, in the original processor's words. The number is masked unless `reveal` is set:
 * card numbers in logs are the leak this product exists to stop (a name stored before the API refused
 * card numbers in names is masked too).
 */
export function printCard(options: { reveal: boolean; write: (line: string) => void }): ProcessCard {
  return (card) => {
    const number = options.reveal ? card.pan : applyMask(card.pan, 'FIRST6_LAST4');
    options.write(`Processing ${maskPans(card.name).toLocaleUpperCase()} card with number ${number}`);
  };
}
