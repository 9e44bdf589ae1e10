import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

// Loaded on first use, not when config.ts is: the dictionaries take some 0.4 s to load, which every
// command would pay at start (its --help too) though only a configured AUTH_JWT_SECRET needs them.
const require = createRequire(import.meta.url);

/** A shared HS256 secret must be as hard to guess as a 256-bit key. */
export const MIN_SECRET_BITS = 256;

let estimator: ZxcvbnFactory | undefined;

/** zxcvbn-ts with its common and English dictionaries, built once, on first use (it takes a few hundred ms). */
function zxcvbn(): ZxcvbnFactory {
  if (estimator !== undefined) return estimator;
  const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const english = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  estimator = new Factory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    // The default (100) costs about a second per 64-character secret; 8 still finds l33t words.
    l33tMaxSubstitutions: 8,
  });
  return estimator;
}

/** Bits per character of the string's own character frequencies, times its length. */
function shannonBits(secret: string): number {
  const characters = [...secret];
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let perCharacter = 0;
  for (const count of counts.values()) {
    const share = count / characters.length;
    perCharacter -= share * Math.log2(share);
  }
  return perCharacter * characters.length;
}

/** log2 of the number of characters an attacker must try per position: the classes the secret uses. */
function alphabetBits(secret: string): number {
  let size = 0;
  if (/[a-z]/.test(secret)) size += 26;
  if (/[A-Z]/.test(secret)) size += 26;
  if (/[0-9]/.test(secret)) size += 10;
  if (/[^a-zA-Z0-9]/.test(secret)) size += 33;
  return Math.log2(size);
}

/**
 * Estimated entropy of a secret, in bits: the lower of two estimates.
 * - Its character frequencies (Shannon): one repeated character or a handful of characters score low.
 * - zxcvbn-ts's cheapest way to guess it: dictionary words and phrases, l33t spellings, repeats,
 *   sequences, keyboard patterns and dates cost what zxcvbn says they cost; the characters no pattern
 *   explains cost log2 of the alphabet the secret uses (and at most its Shannon bits per character).
 *   zxcvbn alone charges 10 guesses per unexplained character, made for human passwords: it would
 *   call `openssl rand -base64 48` (384 random bits) a 213-bit secret.
 */
export function estimatedSecretBits(secret: string): number {
  const shannon = shannonBits(secret);
  if (shannon < MIN_SECRET_BITS) return shannon;
  const perUnexplainedCharacter = Math.min(alphabetBits(secret), shannon / [...secret].length);
  let bits = 0;
  for (const match of zxcvbn().check(secret).sequence) {
    bits +=
      match.pattern === 'bruteforce' ? [...match.token].length * perUnexplainedCharacter : Math.log2(match.guesses);
  }
  return Math.min(shannon, bits);
}
