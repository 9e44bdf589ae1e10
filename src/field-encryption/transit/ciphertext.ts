import { TransitError } from './transit.ts';

const CIPHERTEXT = /^vault:v(\d+):([A-Za-z0-9+/]+={0,2})$/;

export interface ParsedCiphertext {
  version: number;
  payload: Buffer;
}

/** Splits `vault:v<N>:<base64>` into its version and decoded payload. */
export function parseCiphertext(ciphertext: string): ParsedCiphertext {
  const match = CIPHERTEXT.exec(ciphertext);
  const version = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(version) || version < 1) {
    throw new TransitError('MALFORMED_CIPHERTEXT', 'ciphertext is not of the form vault:v<N>:<base64>');
  }
  return { version, payload: Buffer.from(match[2] ?? '', 'base64') };
}

export function formatCiphertext(version: number, payload: Buffer): string {
  return `vault:v${version}:${payload.toString('base64')}`;
}
