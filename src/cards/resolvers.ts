import type { Authentication } from '../auth/principal.ts';
import { withBlindIndex, withBoundIdentity } from '../field-encryption/index.ts';
import { badUserInput, graphqlError, unauthenticated } from '../graphql/errors.ts';
import type { CreditCardInput, Resolvers } from '../graphql/generated/resolvers-types.ts';
import { requireId, requireIds } from '../graphql/ids.ts';
import { CardholderNameScalar } from './card-name.ts';
import type { NewCard } from './card-repository.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { DuplicateCardError } from './duplicate-cards.ts';
import { PanScalar } from './pan.ts';

const DEFAULT_PAGE_SIZE = 50;

export const cardResolvers: Resolvers = {
  PAN: PanScalar,
  CardholderName: CardholderNameScalar,
  Query: {
    creditCards: async (_, { first, after, status }, { cards, limits }) => {
      const size = first ?? Math.min(DEFAULT_PAGE_SIZE, limits.maxPageSize);
      if (size < 1 || size > limits.maxPageSize)
        throw badUserInput(`first must be between 1 and ${limits.maxPageSize}`);
      const page = await cards.list({
        first: size,
        ...(after == null ? {} : { afterSeq: decodeCursor(after) }),
        ...(status == null ? {} : { status }),
      });
      const last = page.cards.at(-1);
      return {
        nodes: page.cards,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : encodeCursor(last.seq) },
      };
    },
    creditCard: async (_, { id }, { cards }) => (await cards.findById(requireId(id))) ?? null,
    creditCardsByPan: (_, args, { cards, limits }) =>
      cards.findByBlindIndex(withBlindIndex(args, 'pan').panIndex.candidates, limits.maxPageSize),
  },
  Mutation: {
    createCreditCard: async (_, { input, onDuplicate }, { cards }) => {
      const [card] = await cards.createMany([newCard(input)], onDuplicate ?? 'ALLOW').catch(duplicateError);
      if (card === undefined) throw new Error('insert returned no row');
      return card;
    },
    createCreditCards: (_, { inputs, onDuplicate }, { cards }) =>
      cards.createMany(inputs.map(newCard), onDuplicate ?? 'ALLOW').catch(duplicateError),
    claimCards: (_, { limit, leaseSeconds }, { cards, limits, authentication }) => {
      const size = limit ?? 50;
      if (size < 1 || size > limits.maxPageSize)
        throw badUserInput(`limit must be between 1 and ${limits.maxPageSize}`);
      return cards.claim(subjectOf(authentication), size, inRange('leaseSeconds', leaseSeconds ?? 60, 1, MAX_SECONDS));
    },
    markCardsProcessed: (_, { ids }, { cards, authentication }) =>
      cards.markProcessed(subjectOf(authentication), requireIds(ids)),
    releaseCards: (_, { ids }, { cards, authentication }) => cards.release(subjectOf(authentication), requireIds(ids)),
    markCardsFailed: (_, { ids, error, retryAfterSeconds, maxAttempts }, { cards, authentication }) => {
      // Its upper bound is the schema's @maxLength, checked before the free-text guard scans it.
      if (error.length === 0) throw badUserInput('error must not be empty');
      return cards.markFailed(subjectOf(authentication), requireIds(ids), {
        error,
        retryAfterSeconds: inRange('retryAfterSeconds', retryAfterSeconds ?? 60, 0, MAX_SECONDS),
        maxAttempts: inRange('maxAttempts', maxAttempts ?? 5, 1, MAX_ATTEMPTS),
      });
    },
  },
};

/** The input as @encrypted and @blindIndex left it: ciphertext, its record's identity, the number's blind index. */
function newCard(input: CreditCardInput): NewCard {
  return withBlindIndex(withBoundIdentity(input), 'pan');
}

function duplicateError(error: unknown): never {
  if (!(error instanceof DuplicateCardError)) throw error;
  throw graphqlError('DUPLICATE', error.message, {
    existingId: error.duplicates.find((duplicate) => duplicate.existingId !== undefined)?.existingId ?? null,
    duplicates: error.duplicates,
  });
}

const MAX_SECONDS = 86_400;
const MAX_ATTEMPTS = 1000;

function inRange(argument: string, value: number, min: number, max: number): number {
  if (value < min || value > max) throw badUserInput(`${argument} must be between ${min} and ${max}`);
  return value;
}

/** The claimant recorded on cards: the token's subject (@requireRole has already authenticated the caller). */
function subjectOf(authentication: Authentication): string {
  if (authentication.status !== 'authenticated') throw unauthenticated('Authentication required');
  return authentication.principal.subject;
}
