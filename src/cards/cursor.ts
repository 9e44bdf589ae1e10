import { badUserInput } from '../graphql/errors.ts';

/** Opaque page cursors: base64url of the card's insertion position. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`card:${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^card:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) throw badUserInput('after is not a cursor this API issued');
  return Number(match[1]);
}
