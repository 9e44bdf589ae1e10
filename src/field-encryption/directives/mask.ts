/** Partial reveals a role may be granted instead of the plaintext. */
export type Mask = 'NONE' | 'LAST4' | 'FIRST6_LAST4';

/** LAST4: `************1157`; FIRST6_LAST4: `453929******1157` (short values fall back to LAST4). */
export function applyMask(value: string, mask: Mask): string {
  const chars = [...value];
  if (mask === 'NONE') return value;
  const keepStart = mask === 'FIRST6_LAST4' && chars.length >= 12 ? 6 : 0;
  const keepEnd = Math.min(4, Math.max(0, chars.length - keepStart - 4));
  const hidden = chars.length - keepStart - keepEnd;
  return chars.slice(0, keepStart).join('') + '*'.repeat(hidden) + chars.slice(chars.length - keepEnd).join('');
}
