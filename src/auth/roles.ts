/** The roles transitql knows. A token may carry others; they grant nothing here. */
export const ROLES = ['clerk', 'support', 'processor', 'key-admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  clerk: 'creates and lists cards, reads ciphertext',
  support: 'lists cards, reads masked PANs',
  processor: 'reads PANs in the clear, claims and marks cards processed',
  'key-admin': 'rotates keys, rewraps stored values, reports key versions',
  auditor: 'reads the reveal record (revealEvents); never a decrypted value',
};
