import { count, eq } from 'drizzle-orm';
import { creditCards } from '../../src/db/schema.ts';
import type { Backends } from './backends.ts';

export const CREATE_CARD = `mutation CreateCard($input: CreditCardInput!) {
  createCreditCard(input: $input) { id name pan panKeyVersion status }
}`;

export const CREATE_CARDS = `mutation CreateCards($inputs: [CreditCardInput!]!) {
  createCreditCards(inputs: $inputs) { id name pan }
}`;

/** Valid PANs (Luhn) used across the API suites. */
export const PANS = {
  carlos: '4539296620131157',
  anibal: '2720997130887021',
  visa: '4111111111111111',
  mastercard: '5555555555554444',
} as const;

export async function countCards(backends: Backends): Promise<number> {
  const [row] = await backends.database.db.select({ n: count() }).from(creditCards);
  return row?.n ?? 0;
}

/** Every stored row, as text: what a database dump would show. */
export async function dumpCards(backends: Backends): Promise<string> {
  return JSON.stringify(await backends.database.db.select().from(creditCards));
}

/** Overwrites a stored PAN directly in the database, bypassing the API. */
export async function overwritePan(backends: Backends, id: string, pan: string): Promise<void> {
  await backends.database.db.update(creditCards).set({ pan }).where(eq(creditCards.id, id));
}

/** The same ciphertext with one payload byte flipped: well-formed, but it fails authentication. */
export function tamper(ciphertext: string): string {
  const [prefix, version, payload] = ciphertext.split(':');
  const bytes = Buffer.from(payload ?? '', 'base64');
  bytes[20] = (bytes[20] ?? 0) ^ 0xff;
  return `${prefix}:${version}:${bytes.toString('base64')}`;
}
