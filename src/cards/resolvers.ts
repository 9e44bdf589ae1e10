import type { Authentication } from '../auth/principal.ts';
import type { Context } from '../context.ts';
import { type BlindIndex, withBlindIndex, withBoundIdentity } from '../field-encryption/index.ts';
import { badUserInput, graphqlError, unauthenticated } from '../graphql/errors.ts';
import type { CreditCardInput, OnDuplicate, Resolvers } from '../graphql/generated/resolvers-types.ts';
import { requireId, requireIds } from '../graphql/ids.ts';
import { CardholderNameScalar } from './card-name.ts';
import type { NewCard } from './card-repository.ts';
import { claimableWithinBudget } from './claim-size.ts';
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
    waitingCards: (_, __, { cards }) => cards.waiting(),
    creditCard: async (_, { id }, { cards }) => (await cards.findById(requireId(id))) ?? null,
    creditCardsByPan: (_, args, { cards, limits, existence }) => {
      const { panIndex } = withBlindIndex(args, 'pan');
      return existence.ask([panIndex], async (found) => {
        const matches = await cards.findByBlindIndex(panIndex.candidates, limits.maxPageSize);
        found(matches.map((card) => card.id));
        return matches;
      });
    },
  },
  Mutation: {
    createCreditCard: async (_, { input, onDuplicate }, context) => {
      const [card] = await createCards(context, [newCard(input)], onDuplicate);
      if (card === undefined) throw new Error('insert returned no row');
      return card;
    },
    createCreditCards: (_, { inputs, onDuplicate }, context) => createCards(context, inputs.map(newCard), onDuplicate),
    claimCards: async (_, { limit, leaseSeconds }, { cards, limits, authentication, budget }, info) => {
      const size = limit ?? 50;
      if (size < 1 || size > limits.maxPageSize)
        throw badUserInput(`limit must be between 1 and ${limits.maxPageSize}`);
      const lease = inRange('leaseSeconds', leaseSeconds ?? 60, 1, MAX_SECONDS);
      const claimable = claimableWithinBudget(size, info, budget);
      return claimable === 0 ? [] : cards.claim(subjectOf(authentication), claimable, lease);
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
function newCard(input: CreditCardInput): NewCard & { panIndex: BlindIndex } {
  return withBlindIndex(withBoundIdentity(input), 'pan');
}

/**
 * ALLOW stores the cards whatever is on file, so its answer says nothing about other cards; REJECT
 * and RETURN_EXISTING answer whether each number is on file, so they ask through the existence budget.
 */
function createCards(
  { cards, existence }: Context,
  created: ReadonlyArray<NewCard & { panIndex: BlindIndex }>,
  onDuplicate: OnDuplicate | null | undefined,
) {
  const policy = onDuplicate ?? 'ALLOW';
  if (policy === 'ALLOW') return cards.createMany(created, policy);
  return existence
    .ask(
      created.map((card) => card.panIndex),
      (found) => cards.createMany(created, policy, found),
    )
    .catch(duplicateError);
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
