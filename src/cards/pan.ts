import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '../graphql/errors.ts';

/** 19 digits, each with a separator, and room to spare: longer text is refused before it is read. */
const MAX_PAN_TEXT_LENGTH = 64;

/** Normalises a card number (spaces and dashes removed) or explains, without echoing it, why it is invalid. */
function normalizePan(input: unknown): string {
  if (typeof input !== 'string') throw badUserInput('PAN must be a string of digits');
  if (input.length > MAX_PAN_TEXT_LENGTH) throw badUserInput('PAN must have 12 to 19 digits');
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) throw badUserInput('PAN may contain only digits, spaces and dashes');
  if (digits.length < 12 || digits.length > 19) throw badUserInput('PAN must have 12 to 19 digits');
  if (!luhnValid(digits)) throw badUserInput('PAN fails the Luhn check');
  return digits;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Appends the digit that makes `digits` pass the Luhn check. */
export function withCheckDigit(digits: string): string {
  const digit = [...'0123456789'].find((candidate) => luhnValid(`${digits}${candidate}`));
  if (digit === undefined) throw new Error('no Luhn check digit fits (digits only)');
  return `${digits}${digit}`;
}

export const PanScalar = new GraphQLScalarType<string, string>({
  name: 'PAN',
  serialize: () => {
    throw new GraphQLError('PAN is an input type only');
  },
  parseValue: normalizePan,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badUserInput('PAN must be a string of digits');
    return normalizePan(ast.value);
  },
});
