/** A shared HS256 secret must carry at least as many random bytes as the SHA-256 it keys. */
export const MIN_SECRET_BYTES = 32;

const HEX = /^(?:[0-9a-f]{2})+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

type CharacterClass = readonly [name: string, pattern: RegExp, share: number];

/** How random base64 (or base64url) spreads its characters: 26, 26 and 12 of 64. */
const BASE64_CLASSES: readonly CharacterClass[] = [
  ['lowercase letters', /[a-z]/g, 26 / 64],
  ['capital letters', /[A-Z]/g, 26 / 64],
  ['digits and symbols', /[^a-zA-Z]/g, 12 / 64],
];
const HEX_CLASSES: readonly CharacterClass[] = [
  ['digits', /[0-9]/g, 10 / 16],
  ['letters', /[a-f]/gi, 6 / 16],
];

/**
 * Chi-square of the character classes against random bytes' spread. Above 40 (two degrees of
 * freedom: p ≈ 2e-9) the characters are not a generator's: words run together, CamelCase, hyphens.
 * Words score 70 and more; 600,000 random 32- and 48-byte secrets scored at most 34.
 */
const MAX_CHI_SQUARE = 40;

function unevenClass(characters: string, classes: readonly CharacterClass[]): string | undefined {
  let chiSquare = 0;
  let worst: { name: string; observed: number; expected: number; deviation: number } | undefined;
  for (const [name, pattern, share] of classes) {
    const observed = (characters.match(pattern) ?? []).length / characters.length;
    const deviation = ((observed - share) * characters.length) ** 2 / (share * characters.length);
    chiSquare += deviation;
    if (worst === undefined || deviation > worst.deviation) worst = { name, observed, expected: share, deviation };
  }
  if (chiSquare <= MAX_CHI_SQUARE || worst === undefined) return undefined;
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  return `${percent(worst.observed)} ${worst.name} where random bytes give ${percent(worst.expected)}`;
}

/** The bytes a secret encodes as hex, base64 or base64url; undefined for anything else. */
function decodedBytes(secret: string): Buffer | undefined {
  if (HEX.test(secret)) return Buffer.from(secret, 'hex');
  const unpadded = secret.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (BASE64.test(secret)) return Buffer.from(secret, 'base64');
  if (BASE64URL.test(secret)) return Buffer.from(secret, 'base64url');
  return undefined;
}

/**
 * Valid UTF-8 without control characters (tab and line breaks aside): an encoded sentence. Random
 * bytes pass as text with a chance of about 0.4 per byte, under 1e-12 for 32 of them.
 */
function isText(bytes: Buffer): boolean {
  const control = (byte: number) => (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f;
  if (bytes.some(control)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a secret is not random material of at least MIN_SECRET_BYTES, or undefined when it is. Its
 * length says nothing of its entropy when it is words: a sentence, a quotation, a passphrase are
 * guessed word by word, and no estimate can tell a famous line from an unknown one, so production
 * takes only what a generator prints (`openssl rand -base64 48`, `openssl rand -hex 48`).
 */
export function notRandomBytes(secret: string): string | undefined {
  const bytes = decodedBytes(secret);
  if (bytes === undefined) {
    return 'is not random bytes encoded as base64 or hex: a sentence or passphrase, however long, is guessed word by word, not bit by bit';
  }
  if (isText(bytes)) return 'decodes to text, not random bytes: encoding a sentence adds nothing to guess';
  const characters = secret.replace(/=+$/, '');
  const uneven = unevenClass(characters, HEX.test(secret) ? HEX_CLASSES : BASE64_CLASSES);
  if (uneven !== undefined) {
    return `is not spread like random bytes (${uneven}): words run together are guessed word by word`;
  }
  if (bytes.length < MIN_SECRET_BYTES)
    return `decodes to ${bytes.length} bytes; ${MIN_SECRET_BYTES} random bytes are needed`;
  return undefined;
}
